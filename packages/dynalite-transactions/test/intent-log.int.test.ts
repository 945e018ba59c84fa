/** The transaction front's intent log: a transaction a crash cut short is rolled back at the next start, through the AWS SDK against a real dynalite. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTransactionFront, type TransactionFront } from '../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

let server: Server;
let front: TransactionFront;
let client: DynamoDBClient;
const TableName = 'events';

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front = await startTransactionFront({ upstream: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  client = new DynamoDBClient({
    endpoint: front.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'streamId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'streamId', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'N' },
      ],
    }),
  );
});

afterAll(async () => {
  client.destroy();
  await front.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const key = (streamId: string, version = 0) => ({ streamId: { S: streamId }, version: { N: String(version) } });

describe('a transaction cut short by a crash of the process', () => {
  it('is rolled back when the front starts on its intent log; a finished one is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intent-log-'));
    const intentLogPath = join(dir, 'transactions.jsonl');
    const upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // A transaction that finished, then one whose first put was applied when the process died.
      await client.send(new PutItemCommand({ TableName, Item: { ...key('intent-done', 1), n: { N: '1' } } }));
      await client.send(new PutItemCommand({ TableName, Item: { ...key('intent-half', 1), n: { N: '1' } } }));
      const before = { ...key('intent-existing', 1), n: { N: '0' } };
      await client.send(new PutItemCommand({ TableName, Item: { ...before, n: { N: '9' } } }));
      const lines = [
        { begin: 1, items: [{ table: TableName, key: key('intent-done', 1) }] },
        { end: 1 },
        {
          begin: 2,
          items: [
            { table: TableName, key: key('intent-half', 1) },
            { table: TableName, key: key('intent-existing', 1), before },
          ],
        },
      ];
      writeFileSync(intentLogPath, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n{"begin":3,"it`);

      const restarted = await startTransactionFront({ upstream, intentLogPath });
      await restarted.close();
      expect(restarted.rolledBack).toBe(1);
      const item = async (streamId: string) =>
        (await client.send(new GetItemCommand({ TableName, Key: key(streamId, 1), ConsistentRead: true }))).Item;
      expect(await item('intent-done')).toBeDefined();
      expect(await item('intent-half')).toBeUndefined();
      expect(await item('intent-existing')).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes its intent and end mark around every transaction it applies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intent-log-'));
    const intentLogPath = join(dir, 'transactions.jsonl');
    const logged = await startTransactionFront({
      upstream: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      intentLogPath,
    });
    const through = new DynamoDBClient({
      endpoint: logged.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await through.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName, Item: { ...key('intent-logged', 1) } } }],
        }),
      );
      const records = readFileSync(intentLogPath, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
      expect(records).toEqual([{ begin: 1, items: [{ table: TableName, key: key('intent-logged', 1) }] }, { end: 1 }]);
    } finally {
      through.destroy();
      await logged.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
