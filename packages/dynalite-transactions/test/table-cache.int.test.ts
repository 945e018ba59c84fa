/**
 * dynaliteWithTableCache: a table's description is read from LevelDB once, and every answer is still the
 * one dynalite gives: a status change, an update and a delete are seen at once.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { dynaliteWithTableCache } from '../src';
import { clientOf } from './support/dynalite-front';

/** dynalite's in-memory LevelDB, as dynalite resolves it (not a dependency of this package). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MemoryLevel } = require(require.resolve('memory-level', { paths: [dirname(require.resolve('dynalite'))] })) as {
  MemoryLevel: { prototype: { _get(key: unknown, ...rest: unknown[]): unknown } };
};

const TableName = 'cached';

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const createTable = (client: DynamoDBClient) =>
  client.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    }),
  );

const statusOf = async (client: DynamoDBClient) =>
  (await client.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus;

describe('dynaliteWithTableCache', () => {
  let server: Server;
  let client: DynamoDBClient;

  beforeEach(async () => {
    server = dynaliteWithTableCache({ createTableMs: 50, updateTableMs: 50, deleteTableMs: 50 });
    client = clientOf(await listening(server));
  });

  afterEach(async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sees a new table go from CREATING to ACTIVE', async () => {
    await createTable(client);
    expect(await statusOf(client)).toBe('CREATING');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await statusOf(client)).toBe('ACTIVE');
  });

  it('reads the description from LevelDB once for many requests', async () => {
    await createTable(client);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const reads = jest.spyOn(MemoryLevel.prototype, '_get');
    try {
      for (let i = 0; i < 10; i += 1) {
        await client.send(new PutItemCommand({ TableName, Item: { id: { S: `item-${i}` } } }));
        await client.send(new GetItemCommand({ TableName, Key: { id: { S: `item-${i}` } } }));
      }
      const descriptionReads = reads.mock.calls.filter(([key]) => String(key).startsWith('table~')).length;
      expect(descriptionReads).toBeLessThanOrEqual(1);
    } finally {
      reads.mockRestore();
    }
  });

  it('answers with an update and then with the table gone', async () => {
    await createTable(client);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await client.send(
      new UpdateTableCommand({ TableName, ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 1 } }),
    );
    expect(await statusOf(client)).toBe('UPDATING');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const table = (await client.send(new DescribeTableCommand({ TableName }))).Table;
    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(7);

    await client.send(new DeleteTableCommand({ TableName }));
    await new Promise((resolve) => setTimeout(resolve, 120));
    await expect(client.send(new GetItemCommand({ TableName, Key: { id: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
