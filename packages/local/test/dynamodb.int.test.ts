import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from '@jest/globals';
import { dynamoDbTableArn } from '../src/cloudformation';
import { ensureTables, startDynamoDb, type CreateTableInput, type LocalDynamoDb } from '../src/dynamodb';

const EVENTS: CreateTableInput = {
  TableName: 'Core-Events-ABCD1234',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'N' },
    { AttributeName: 'type', AttributeType: 'S' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byType',
      KeySchema: [{ AttributeName: 'type', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
};

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-dynamodb-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function started(options: Parameters<typeof startDynamoDb>[0] = {}): Promise<LocalDynamoDb> {
  const db = await startDynamoDb(options);
  cleanups.push(() => db.close());
  return db;
}

function client(db: LocalDynamoDb): DynamoDBClient {
  const c = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  cleanups.push(() => c.destroy());
  return c;
}

describe('startDynamoDb', () => {
  it('starts in memory on a free port of 127.0.0.1', async () => {
    const db = await started();
    expect(db.port).toBeGreaterThan(0);
    expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`);
    expect(db.dataDir).toBeUndefined();
    expect((await client(db).send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });

  it('keeps items across a close and a restart when given a data directory', async () => {
    const dataDir = join(tmp(), 'nested', 'dynamodb');
    const first = await startDynamoDb({ dataDir });
    expect(await ensureTables(first.endpoint, [EVENTS])).toEqual([
      { tableName: EVENTS.TableName, created: true, notes: [] },
    ]);
    const writer = client(first);
    await writer.send(
      new PutItemCommand({
        TableName: EVENTS.TableName,
        Item: { pk: { S: 'order#1' }, sk: { N: '1' }, type: { S: 'Created' } },
      }),
    );
    await first.close();
    await first.close();

    const second = await started({ dataDir });
    expect(await ensureTables(second.endpoint, [EVENTS])).toEqual([
      { tableName: EVENTS.TableName, created: false, notes: [] },
    ]);
    const reader = client(second);
    const { Item } = await reader.send(
      new GetItemCommand({ TableName: EVENTS.TableName, Key: { pk: { S: 'order#1' }, sk: { N: '1' } } }),
    );
    expect(Item).toEqual({ pk: { S: 'order#1' }, sk: { N: '1' }, type: { S: 'Created' } });
  });

  it('refuses a data directory that is in use, and leaves the first server working', async () => {
    const dataDir = tmp();
    const first = await started({ dataDir });
    await expect(startDynamoDb({ dataDir })).rejects.toMatchObject({
      name: 'LocalDynamoDbError',
      code: 'DATA_DIR_LOCKED',
    });
    expect((await client(first).send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });

  it('reports a port that is taken', async () => {
    const first = await started();
    await expect(startDynamoDb({ port: first.port })).rejects.toMatchObject({ code: 'START_FAILED' });
  });

  it('shows the given region and account in table ARNs', async () => {
    const db = await started({ region: 'eu-west-1', accountId: '123456789012' });
    await ensureTables(db.endpoint, [EVENTS]);
    const { Table } = await client(db).send(new DescribeTableCommand({ TableName: EVENTS.TableName }));
    expect(Table?.TableArn).toBe(dynamoDbTableArn('eu-west-1', '123456789012', EVENTS.TableName));
  });

  it('serves a request handed to it without a socket as its endpoint serves it, and answers 500 once stopped', async () => {
    const db = await startDynamoDb();
    await ensureTables(db.endpoint, [EVENTS]);
    const transaction = {
      TransactItems: [1, 2].map((sk) => ({
        Put: {
          TableName: EVENTS.TableName,
          Item: { pk: { S: 'order#2' }, sk: { N: String(sk) }, type: { S: 'Paid' } },
        },
      })),
    };
    const written = await db.request('DynamoDB_20120810.TransactWriteItems', Buffer.from(JSON.stringify(transaction)));
    expect(written.status).toBe(200);
    const { Items } = await client(db).send(
      new QueryCommand({
        TableName: EVENTS.TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'order#2' } },
      }),
    );
    expect(Items?.map((item) => item['sk']?.N)).toEqual(['1', '2']);

    const unknown = await db.request('DynamoDB_20120810.GetItem', Buffer.from('{"TableName":"missing","Key":{}}'));
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body.toString('utf8'))).toMatchObject({ __type: expect.stringMatching(/Exception$/) });

    await db.close();
    const afterStop = await db.request('DynamoDB_20120810.ListTables', Buffer.from('{}'));
    expect(afterStop.status).toBe(500);
    expect(JSON.parse(afterStop.body.toString('utf8'))).toMatchObject({
      __type: expect.stringMatching(/InternalServerError$/),
    });
  });
});

describe('ensureTables', () => {
  it('creates tables ACTIVE at once, with usable indexes, and is idempotent', async () => {
    const db = await started();
    const other: CreateTableInput = {
      TableName: 'other',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    };
    const ddb = client(db);
    expect((await ensureTables(db.endpoint, [EVENTS, other])).map((t) => t.created)).toEqual([true, true]);
    expect((await ensureTables(db.endpoint, [EVENTS])).map((t) => t.created)).toEqual([false]);
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: EVENTS.TableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    await ddb.send(
      new PutItemCommand({
        TableName: EVENTS.TableName,
        Item: { pk: { S: 'a' }, sk: { N: '1' }, type: { S: 'Created' } },
      }),
    );
    const { Items } = await ddb.send(
      new QueryCommand({
        TableName: EVENTS.TableName,
        IndexName: 'byType',
        KeyConditionExpression: '#t = :t',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':t': { S: 'Created' } },
      }),
    );
    expect(Items).toHaveLength(1);
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([EVENTS.TableName, 'other']);
  });

  it('refuses an existing table with another key schema and notes index differences', async () => {
    const db = await started();
    await ensureTables(db.endpoint, [EVENTS]);
    const changedKey: CreateTableInput = { ...EVENTS, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] };
    await expect(ensureTables(db.endpoint, [changedKey])).rejects.toMatchObject({
      code: 'TABLE_SCHEMA_MISMATCH',
      message: expect.stringContaining(EVENTS.TableName),
    });
    const [result] = await ensureTables(db.endpoint, [
      { ...EVENTS, GlobalSecondaryIndexes: [{ ...EVENTS.GlobalSecondaryIndexes![0]!, IndexName: 'byKind' }] },
    ]);
    expect(result?.notes).toEqual([
      'global secondary indexes missing from the existing table: byKind',
      'global secondary indexes no longer in the template: byType',
    ]);
  });

  it('passes DynamoDB validation errors on with their type', async () => {
    const db = await started();
    await expect(ensureTables(db.endpoint, [{ ...EVENTS, TableName: 'x' }])).rejects.toMatchObject({
      code: 'REQUEST_FAILED',
      awsErrorType: 'ValidationException',
    });
  });
});
