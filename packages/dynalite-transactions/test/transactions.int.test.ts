/**
 * TransactWriteItems, TransactGetItems and ALL_OLD on failed conditions, through the AWS SDK against a real
 * dynalite: reached over HTTP, and in this process (handed to its request handler without a socket).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { startTransactionFront } from '../src';
import { TableName, key, startDynaliteFront, type DynaliteFront } from './support/dynalite-front';

describe.each(['over HTTP', 'in process'] as const)('dynalite %s', (upstream) => {
  let fixture: DynaliteFront;
  let client: DynamoDBClient;

  beforeAll(async () => {
    fixture = await startDynaliteFront(upstream);
    client = fixture.client;
  });
  afterAll(() => fixture.close());

  const putIfAbsent = (
    streamId: string,
    version: number,
    extra: Record<string, { S: string }> = {},
  ): TransactWriteItem => ({
    Put: {
      TableName,
      Item: { ...key(streamId, version), ...extra },
      ConditionExpression: 'attribute_not_exists(#v)',
      ExpressionAttributeNames: { '#v': 'version' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });
  const get = async (streamId: string, version = 0) =>
    (await client.send(new GetItemCommand({ TableName, Key: key(streamId, version), ConsistentRead: true }))).Item;

  async function cancellation(items: TransactWriteItem[]): Promise<TransactionCanceledException> {
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) return error;
      throw error;
    }
    throw new Error('the transaction was not cancelled');
  }

  describe('TransactWriteItems', () => {
    it('applies every action when every condition holds, and reports transactional capacity', async () => {
      const answer = await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [putIfAbsent('a', 1, { data: { S: 'one' } }), putIfAbsent('command#a', 0)],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      expect((await get('a', 1))?.['data']).toEqual({ S: 'one' });
      expect(await get('command#a')).toBeDefined();
      expect(answer.ConsumedCapacity).toEqual([{ TableName, CapacityUnits: 4, WriteCapacityUnits: 4 }]);
    });

    it('cancels the whole transaction when one condition fails: one reason per action, the current item with ALL_OLD', async () => {
      await client.send(new PutItemCommand({ TableName, Item: { ...key('command#b'), owner: { S: 'first' } } }));
      const error = await cancellation([putIfAbsent('b', 1), putIfAbsent('command#b', 0)]);
      expect(error.CancellationReasons?.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
      expect(error.CancellationReasons?.[1]?.Item?.['owner']).toEqual({ S: 'first' });
      expect(error.message).toContain('[None, ConditionalCheckFailed]');
      expect(await get('b', 1)).toBeUndefined();
    });

    it('runs Update, Delete and ConditionCheck actions, and leaves everything as it was when a check fails', async () => {
      await client.send(new PutItemCommand({ TableName, Item: { ...key('c'), n: { N: '1' } } }));
      await client.send(new PutItemCommand({ TableName, Item: key('d') }));
      const check: TransactWriteItem = {
        ConditionCheck: { TableName, Key: key('d'), ConditionExpression: 'attribute_exists(streamId)' },
      };
      const update: TransactWriteItem = {
        Update: {
          TableName,
          Key: key('c'),
          UpdateExpression: 'SET n = n + :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      };
      await client.send(
        new TransactWriteItemsCommand({ TransactItems: [check, update, { Delete: { TableName, Key: key('e') } }] }),
      );
      expect((await get('c'))?.['n']).toEqual({ N: '2' });

      const failingCheck: TransactWriteItem = {
        ConditionCheck: { TableName, Key: key('missing'), ConditionExpression: 'attribute_exists(streamId)' },
      };
      const error = await cancellation([update, { Delete: { TableName, Key: key('d') } }, failingCheck]);
      expect(error.CancellationReasons?.map((reason) => reason.Code)).toEqual([
        'None',
        'None',
        'ConditionalCheckFailed',
      ]);
      expect((await get('c'))?.['n']).toEqual({ N: '2' });
      expect(await get('d')).toBeDefined();
    });

    it('undoes the actions applied before one that fails while applying', async () => {
      await client.send(new PutItemCommand({ TableName, Item: { ...key('f'), text: { S: 'not a number' } } }));
      const badUpdate: TransactWriteItem = {
        Update: {
          TableName,
          Key: key('f'),
          UpdateExpression: 'SET #t = #t + :one',
          ExpressionAttributeNames: { '#t': 'text' },
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      };
      await expect(
        client.send(new TransactWriteItemsCommand({ TransactItems: [putIfAbsent('g', 1), badUpdate] })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
      });
      expect(await get('g', 1)).toBeUndefined();
    });

    it('refuses two actions on one item, an empty transaction and an invalid condition, as DynamoDB does', async () => {
      await expect(
        client.send(new TransactWriteItemsCommand({ TransactItems: [putIfAbsent('h', 1), putIfAbsent('h', 1)] })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Transaction request cannot include multiple operations on one item',
      });
      await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [] }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      const invalid: TransactWriteItem = {
        Put: { TableName, Item: key('i', 1), ConditionExpression: 'attribute_not_exists(' },
      };
      await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [invalid] }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Invalid ConditionExpression') as unknown as string,
      });
      expect(await get('i', 1)).toBeUndefined();
    });

    it('lets exactly one of many concurrent transactions on the same key win', async () => {
      const attempts = Array.from({ length: 16 }, (_, index) =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [putIfAbsent('race', 1), putIfAbsent(`command#race-${index}`, 0)],
          }),
        ),
      );
      const results = await Promise.allSettled(attempts);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const losers = results.filter((result) => result.status === 'rejected');
      expect(losers.every((loser) => (loser.reason as Error).name === 'TransactionCanceledException')).toBe(true);
    });
  });

  describe('the front', () => {
    it('serves a request handed to handle() under the same locks as its port: one winner of a race across both', async () => {
      const body = (index: number) =>
        Buffer.from(
          JSON.stringify({ TransactItems: [putIfAbsent('handled', 1), putIfAbsent(`command#handled-${index}`, 0)] }),
        );
      const overPort = Array.from({ length: 4 }, (_, index) =>
        client.send(new TransactWriteItemsCommand(JSON.parse(body(index).toString('utf8')))).then(
          () => 200,
          () => 400,
        ),
      );
      const handed = Array.from({ length: 4 }, (_, index) =>
        fixture.front.handle('DynamoDB_20120810.TransactWriteItems', body(index + 4)).then((answer) => answer.status),
      );
      const statuses = await Promise.all([...overPort, ...handed]);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400)).toHaveLength(7);
    });

    it('refuses to start on a port that is taken, instead of waiting', async () => {
      const port = Number(new URL(fixture.front.endpoint).port);
      await expect(startTransactionFront({ upstream: fixture.front.endpoint, port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    });
  });

  describe('TransactGetItems', () => {
    it('reads several items in one request, an empty response for a missing one', async () => {
      await client.send(new PutItemCommand({ TableName, Item: { ...key('j'), v: { S: 'x' } } }));
      const answer = await client.send(
        new TransactGetItemsCommand({
          TransactItems: [{ Get: { TableName, Key: key('j') } }, { Get: { TableName, Key: key('absent') } }],
        }),
      );
      expect(answer.Responses?.[0]?.Item?.['v']).toEqual({ S: 'x' });
      expect(answer.Responses?.[1]?.Item).toBeUndefined();
    });
  });

  describe('a single conditional write with ReturnValuesOnConditionCheckFailure', () => {
    it('carries the current item in the ConditionalCheckFailedException', async () => {
      await client.send(new PutItemCommand({ TableName, Item: { ...key('k', 1), owner: { S: 'first' } } }));
      const put = new PutItemCommand({
        TableName,
        Item: { ...key('k', 1), owner: { S: 'second' } },
        ConditionExpression: 'attribute_not_exists(streamId)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      const error = await client.send(put).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConditionalCheckFailedException);
      expect((error as ConditionalCheckFailedException).Item?.['owner']).toEqual({ S: 'first' });
    });
  });
});
