/** The transaction front's intent log: a transaction a crash cut short is rolled back at the next start, through the AWS SDK against a real dynalite. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTransactionFront } from '../src';
import { TableName, clientOf, key, startDynaliteFront, type DynaliteFront } from './support/dynalite-front';

let fixture: DynaliteFront;
let client: DynamoDBClient;

beforeAll(async () => {
  fixture = await startDynaliteFront();
  client = fixture.client;
});
afterAll(() => fixture.close());

describe('a transaction cut short by a crash of the process', () => {
  it('is rolled back when the front starts on its intent log; a finished one is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intent-log-'));
    const intentLogPath = join(dir, 'transactions.jsonl');
    const upstream = fixture.dynaliteEndpoint;
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
    const logged = await startTransactionFront({ upstream: fixture.dynaliteEndpoint, intentLogPath });
    const through = clientOf(logged.endpoint);
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
