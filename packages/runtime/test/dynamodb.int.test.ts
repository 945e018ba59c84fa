import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createDynamoDbEventStore } from '../src/dynamodb';
import { fold, isCoreError, toCommit, type Commit } from '../src/index';
import { counterDecider, type CounterEvent } from './support/counter';
import { createEventsTable, startDynalite } from '../src/testing';

const actor = { kind: 'system', id: 'test' } as const;
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let tableCount = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

async function newStore() {
  const tableName = `events-${++tableCount}`;
  await createEventsTable(dynamo.client, tableName);
  return createDynamoDbEventStore({ tableName, client: dynamo.client });
}

function commitOf(
  streamId: string,
  expectedVersion: number,
  commandId: string,
  amounts: number[],
  note?: string,
): Commit<CounterEvent> {
  return toCommit(
    amounts.map((amount) => ({ type: 'Added', data: note === undefined ? { amount } : { amount, note } })),
    {
      aggregate: 'counter',
      streamId,
      expectedVersion,
      commandId,
      correlationId: commandId,
      actor,
      now: new Date('2026-11-28T10:00:00Z'),
      deadline: new Date('2026-11-28T10:00:10Z'),
    },
  );
}

describe('DynamoDB event store (dynalite)', () => {
  it('appends a commit and loads the state kept with it in one read', async () => {
    const store = await newStore();
    const decider = counterDecider();
    const outcome = await store.append(commitOf('s-1', 0, 'c-1', [5, 3]), decider);
    expect(outcome).toEqual({ status: 'stored', version: 2, state: { total: 8, count: 2 } });

    const before = store.metrics.readRequests;
    const loaded = await store.load('s-1', decider);
    expect(loaded).toMatchObject({
      state: { total: 8, count: 2 },
      version: 2,
      recentCommitIds: ['c-1'],
      folded: false,
    });
    expect(store.metrics.readRequests - before).toBe(1);
  });

  it('stores a commit all or none: its events share one item and one version range', async () => {
    const store = await newStore();
    const decider = counterDecider();
    await store.append(commitOf('s-1', 0, 'c-1', [1, 2, 3]), decider);
    const commits = [];
    for await (const stored of store.readCommits('s-1')) commits.push(stored);
    expect(commits).toHaveLength(1);
    expect(commits[0]?.commit.events.map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('lets exactly one of 16 concurrent writers win each version; the rest get CONFLICT', async () => {
    const store = await newStore();
    const decider = counterDecider();
    for (let version = 0; version < 3; version++) {
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, writer) =>
          store.append(commitOf('race', version, `v${version}-w${writer}`, [1]), decider),
        ),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      const losers = results.filter((r) => r.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(15);
      for (const loser of losers) {
        const reason = (loser as PromiseRejectedResult).reason as unknown;
        expect(isCoreError(reason) && reason.code).toBe('CONFLICT');
      }
    }
    const loaded = await store.load('race', decider);
    expect(loaded.version).toBe(3);
    expect(loaded.state).toEqual({ total: 3, count: 3 });
  });

  it('recognises a repeated delivery of a stored commit as a duplicate, even after later commits', async () => {
    const store = await newStore();
    const decider = counterDecider();
    const first = commitOf('s-1', 0, 'c-1', [4]);
    await store.append(first, decider);
    await store.append(commitOf('s-1', 1, 'c-2', [6]), decider);

    const again = await store.append(first, decider);
    expect(again).toEqual({ status: 'duplicate', version: 1, state: { total: 4, count: 1 } });
    expect((await store.load('s-1', decider)).version).toBe(2);
  });

  it('reports a different commit at the same version as a conflict, not a duplicate', async () => {
    const store = await newStore();
    const decider = counterDecider();
    await store.append(commitOf('s-1', 0, 'c-1', [4]), decider);
    await expect(store.append(commitOf('s-1', 0, 'c-other', [4]), decider)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('pages through more than 1 MB of events and folds the whole stream after a reducer version bump', async () => {
    const store = await newStore();
    const note = 'x'.repeat(60_000);
    const commits = 40; // 40 items of ~60 KB: about 2.4 MB, so a full read takes at least 3 query pages of 1 MB
    for (let i = 0; i < commits; i++) await store.append(commitOf('big', i, `c-${i}`, [1], note), counterDecider(1));

    const readsBefore = store.metrics.readRequests;
    const kept = await store.load('big', counterDecider(1));
    expect(kept).toMatchObject({ version: commits, folded: false, state: { total: commits, count: commits } });
    expect(store.metrics.readRequests - readsBefore).toBe(1);

    const foldBefore = store.metrics.readRequests;
    const folded = await store.load('big', counterDecider(2));
    expect(folded).toMatchObject({ version: commits, folded: true, state: { total: commits, count: commits } });
    // 1 read for the newest item, then at least 3 pages for ~2.4 MB.
    expect(store.metrics.readRequests - foldBefore).toBeGreaterThanOrEqual(4);
  });

  it('reads a constant number of items per load however long the stream is', async () => {
    const store = await newStore();
    const decider = counterDecider();
    const readsPerLoad: number[] = [];
    for (let i = 0; i < 60; i++) {
      await store.append(commitOf('long', i, `c-${i}`, [1]), decider);
      if (i % 20 === 0) {
        const before = store.metrics.readRequests;
        await store.load('long', decider);
        readsPerLoad.push(store.metrics.readRequests - before);
      }
    }
    expect(readsPerLoad).toEqual([1, 1, 1]);
  });

  it('refuses a commit whose item would exceed 400 KB before writing anything', async () => {
    const store = await newStore();
    const decider = counterDecider();
    const huge = commitOf('s-1', 0, 'c-1', [1], 'y'.repeat(401 * 1024));
    expect(() => store.assertFits(huge, fold(decider, [huge.events[0] as never]), 1, [])).toThrow(
      /limit is 409600 bytes/,
    );
    await expect(store.append(huge, decider)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await store.load('s-1', decider)).version).toBe(0);
  });

  it('folds to the same state however the events were batched into commits (property)', async () => {
    const store = await newStore();
    let stream = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: -5, max: 20 }), { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (batches) => {
          const streamId = `p-${++stream}`;
          let version = 0;
          for (const [index, amounts] of batches.entries()) {
            await store.append(commitOf(streamId, version, `${streamId}-c${index}`, amounts), counterDecider(1));
            version += amounts.length;
          }
          const flat = batches.flat();
          const expected = { total: flat.reduce((a, b) => a + b, 0), count: flat.length };
          expect((await store.load(streamId, counterDecider(1))).state).toEqual(expected);
          expect((await store.load(streamId, counterDecider(99))).state).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});
