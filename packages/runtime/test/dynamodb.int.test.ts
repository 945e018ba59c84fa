/** The DynamoDB event store against dynalite (behind the transaction front): appends, records, loads. */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REQUEST_TIMEOUT_MS, createDynamoDbEventStore, type DynamoDbEventStore } from '../src/dynamodb';
import { fold, recentCommitEntry, recentCommitMatch, RECENT_COMMITS, toCommit, type Commit } from '../src/index';
import { counterDecider, type CounterEvent, type CounterState } from './support/counter';
import { createEventsTable, startDynalite } from '../src/testing';

const actor = { kind: 'system', id: 'test' } as const;
const later = { notAfter: new Date(Date.now() + 60_000) };
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
  return Object.assign(createDynamoDbEventStore({ tableName, client: dynamo.client }), { tableName });
}

interface CommitSpec {
  readonly streamId: string;
  readonly commandId: string;
  readonly amounts: number[];
  readonly note?: string;
  readonly fingerprint?: string;
  readonly reducerVersion?: number;
}

/** A commit decided as the command handler decides it: on the stream as loaded now. */
async function decideOn(store: DynamoDbEventStore, spec: CommitSpec): Promise<Commit<CounterEvent>> {
  const decider = counterDecider(spec.reducerVersion ?? 1);
  const loaded = await store.load(spec.streamId, decider);
  return commitOn(loaded, spec);
}

function commitOn(
  loaded: { state: CounterState; version: number; recentCommits: readonly string[] },
  spec: CommitSpec,
): Commit<CounterEvent> {
  const events: CounterEvent[] = spec.amounts.map((amount) => ({
    type: 'Added',
    data: spec.note === undefined ? { amount } : { amount, note: spec.note },
  }));
  return toCommit(events, {
    aggregate: 'counter',
    streamId: spec.streamId,
    expectedVersion: loaded.version,
    commandId: spec.commandId,
    fingerprint: spec.fingerprint ?? `fp-${spec.commandId}`,
    correlationId: spec.commandId,
    actor,
    now: new Date('2026-11-28T10:00:00Z'),
    deadline: new Date('2026-11-28T10:00:10Z'),
    state: fold(counterDecider(), events, loaded.state),
    reducerVersion: spec.reducerVersion ?? 1,
    previousCommits: loaded.recentCommits,
  });
}

async function readAll(store: DynamoDbEventStore, streamId: string) {
  const commits = [];
  for await (const stored of store.readCommits(streamId)) commits.push(stored);
  return commits;
}

async function rawItem(store: { readonly tableName: string }, streamId: string, version: number) {
  const answer = await dynamo.client.send(
    new GetItemCommand({
      TableName: store.tableName,
      Key: { streamId: { S: streamId }, version: { N: String(version) } },
    }),
  );
  if (answer.Item === undefined) throw new Error(`no item ${streamId}/${version}`);
  return answer.Item;
}

async function appendNext(store: DynamoDbEventStore, spec: CommitSpec) {
  return store.append(await decideOn(store, spec), later);
}

describe('DynamoDB event store (dynalite)', () => {
  it('appends a commit with one write and loads the state kept with it in one read', async () => {
    const store = await newStore();
    const before = { ...store.metrics };
    expect(await appendNext(store, { streamId: 's-1', commandId: 'c-1', amounts: [5, 3] })).toEqual({
      status: 'stored',
    });
    expect(store.metrics.readRequests - before.readRequests).toBe(1); // the decision's load of the empty stream
    expect(store.metrics.writeRequests - before.writeRequests).toBe(1);

    const reads = store.metrics.readRequests;
    const loaded = await store.load('s-1', counterDecider());
    expect(loaded).toMatchObject({
      state: { total: 8, count: 2 },
      version: 2,
      recentCommits: [recentCommitEntry('c-1', 'fp-c-1')],
      folded: false,
    });
    expect(store.metrics.readRequests - reads).toBe(1);
  });

  it('stores a commit all or none, with its command record: events share one item, the record says where', async () => {
    const store = await newStore();
    await appendNext(store, { streamId: 's-1', commandId: 'c-1', amounts: [1, 2, 3] });
    const commits = [];
    for await (const stored of store.readCommits('s-1')) commits.push(stored);
    expect(commits).toHaveLength(1);
    expect(commits[0]?.commit.events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(await store.findCommand('c-1')).toMatchObject({
      status: 'STORED',
      streamId: 's-1',
      fingerprint: 'fp-c-1',
      firstVersion: 1,
      version: 3,
    });
    expect(await store.stateAt('s-1', 1, counterDecider())).toEqual({ total: 6, count: 3 });
  });

  it('keeps of each event only what its commit does not imply, and reads the whole envelopes back', async () => {
    const store = await newStore();
    const commit = await decideOn(store, { streamId: 's-1', commandId: 'c-1', amounts: [5, 3] });
    const before = { ...store.metrics };
    await store.append(commit, later);
    expect(store.metrics.writeUnits - before.writeUnits).toBe(4); // two items of under 1 KB, twice in a transaction
    const [stored] = await readAll(store, 's-1');
    expect(stored?.commit.events).toEqual(commit.events);
    const item = await rawItem(store, 's-1', 1);
    expect(JSON.parse(item['events']?.S ?? '')).toEqual([
      { type: 'Added', data: { amount: 5 } },
      { type: 'Added', data: { amount: 3 } },
    ]);
  });

  it('keeps an event field that differs from what its commit implies, and reads items that hold whole envelopes', async () => {
    const store = await newStore();
    const commit = await decideOn(store, { streamId: 's-1', commandId: 'c-1', amounts: [5, 3] });
    const [first, second] = commit.events;
    if (first === undefined || second === undefined) throw new Error('two events expected');
    const uneven = { ...commit, events: [first, { ...second, occurredAt: '2026-11-28T10:00:01.000Z' }] };
    await store.append(uneven, later);
    expect((await readAll(store, 's-1'))[0]?.commit.events).toEqual(uneven.events);

    const earlier = await rawItem(store, 's-1', 1);
    delete earlier['occurredAt'];
    delete earlier['actor'];
    await dynamo.client.send(
      new PutItemCommand({
        TableName: store.tableName,
        Item: { ...earlier, streamId: { S: 's-2' }, events: { S: JSON.stringify(uneven.events) } },
      }),
    );
    const [old] = await readAll(store, 's-2');
    expect(old?.commit.events).toEqual(uneven.events); // whole envelopes are read as they are
  });

  it.each([
    ['events', { S: '[{"type":' }, "event store item's events attribute is not JSON"],
    ['events', { S: '{"type":"Added"}' }, "event store item's events attribute is not a list"],
    ['state', { S: 'not json' }, "event store item's state attribute is not JSON"],
    ['actor', { S: '{' }, "event store item's actor attribute is not JSON"],
  ])('answers an item whose %s is broken (%j) with a typed CORRUPT_ITEM', async (name, value, message) => {
    const store = await newStore();
    await store.append(await decideOn(store, { streamId: 's-1', commandId: 'c-1', amounts: [5] }), later);
    const item = await rawItem(store, 's-1', 1);
    await dynamo.client.send(new PutItemCommand({ TableName: store.tableName, Item: { ...item, [name]: value } }));
    await expect(store.load('s-1', counterDecider())).rejects.toMatchObject({
      name: 'DependencyError',
      code: 'CORRUPT_ITEM',
      message,
    });
  });

  it('lets exactly one of 16 concurrent commits decided on one version win; the others find the version taken', async () => {
    const store = await newStore();
    for (let round = 0; round < 3; round++) {
      const loaded = await store.load('race', counterDecider());
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, writer) =>
          store.append(commitOn(loaded, { streamId: 'race', commandId: `r${round}-w${writer}`, amounts: [1] }), later),
        ),
      );
      const winners = results.filter((result) => result.status === 'stored');
      expect(winners).toHaveLength(1);
      const losers = results.filter((result) => result.status === 'taken');
      expect(losers).toHaveLength(15);
      expect(losers.every((loser) => loser.status === 'taken' && loser.record === undefined)).toBe(true);
    }
    expect(await store.load('race', counterDecider())).toMatchObject({ version: 3, state: { total: 3, count: 3 } });
  });

  it('finds a repeated delivery of a stored commit: its record comes back, nothing is written twice', async () => {
    const store = await newStore();
    const first = await decideOn(store, { streamId: 's-1', commandId: 'c-1', amounts: [4] });
    await store.append(first, later);
    await appendNext(store, { streamId: 's-1', commandId: 'c-2', amounts: [6] });

    const again = await store.append(first, later);
    expect(again).toMatchObject({ status: 'taken', occupiedBy: 'c-1', record: { status: 'STORED', version: 1 } });
    expect((await store.load('s-1', counterDecider())).version).toBe(2);
  });

  it('refuses a second attempt of a command decided on a later version: one command id, one commit', async () => {
    const store = await newStore();
    await appendNext(store, { streamId: 's-1', commandId: 'c-1', amounts: [4] });
    const retry = await decideOn(store, { streamId: 's-1', commandId: 'c-1', amounts: [4] });
    expect(await store.append(retry, later)).toMatchObject({
      status: 'taken',
      occupiedBy: undefined,
      record: { status: 'STORED' },
    });
    expect((await store.load('s-1', counterDecider())).version).toBe(1);
  });

  it('records a rejection once: a later attempt of the rejected command cannot be stored', async () => {
    const store = await newStore();
    const late = await decideOn(store, { streamId: 's-1', commandId: 'c-1', amounts: [1] });
    expect(await store.recordRejection(late, 'TIMEOUT', 'too late')).toMatchObject({
      status: 'REJECTED',
      code: 'TIMEOUT',
    });
    expect(await store.recordRejection(late, 'CONFLICT', 'second opinion')).toMatchObject({ code: 'TIMEOUT' });
    expect(await store.append(late, later)).toMatchObject({
      status: 'taken',
      record: { status: 'REJECTED', code: 'TIMEOUT' },
    });
    expect((await store.load('s-1', counterDecider())).version).toBe(0);
  });

  it('never starts a write after its deadline', async () => {
    const store = await newStore();
    const commit = await decideOn(store, { streamId: 's-1', commandId: 'c-1', amounts: [1] });
    await expect(store.append(commit, { notAfter: new Date(Date.now() - 1) })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(await store.findCommand('c-1')).toBeUndefined();
  });

  it('gives up a write that hangs, so that none is under way when the deadline passes (the default client)', async () => {
    const silent = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    try {
      const store = createDynamoDbEventStore({ tableName: 'events-silent' });
      const commit = commitOn(
        { state: { total: 0, count: 0 }, version: 0, recentCommits: [] },
        { streamId: 's-1', commandId: 'c-1', amounts: [1] },
      );
      const notAfter = new Date(Date.now() + 1_500);
      const started = Date.now();
      await expect(store.append(commit, { notAfter })).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect(Date.now()).toBeLessThan(notAfter.getTime() + REQUEST_TIMEOUT_MS + 300);
      expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    } finally {
      process.env = saved;
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses ids in the command records partition', async () => {
    const store = await newStore();
    await expect(store.load('command#c-1', counterDecider())).rejects.toMatchObject({ code: 'INVALID_ID' });
  });

  it('pages through more than 1 MB of events and folds the whole stream after a reducer version bump', async () => {
    const store = await newStore();
    const note = 'x'.repeat(60_000);
    const commits = 40; // 40 items of ~60 KB: about 2.4 MB, so a full read takes at least 3 query pages of 1 MB
    for (let i = 0; i < commits; i++)
      await appendNext(store, { streamId: 'big', commandId: `c-${i}`, amounts: [1], note });

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

  it('reads one item per load and writes one item set per append however long the stream is', async () => {
    const store = await newStore();
    const perLoad: number[] = [];
    const perAppend: number[] = [];
    for (let i = 0; i < 60; i++) {
      const commit = await decideOn(store, { streamId: 'long', commandId: `c-${i}`, amounts: [1] });
      const before = { ...store.metrics };
      await store.append(commit, later);
      perAppend.push(
        store.metrics.readRequests - before.readRequests + store.metrics.writeRequests - before.writeRequests,
      );
      if (i % 20 === 0) {
        const reads = store.metrics.readRequests;
        await store.load('long', counterDecider());
        perLoad.push(store.metrics.readRequests - reads);
      }
    }
    expect(perLoad).toEqual([1, 1, 1]);
    expect(new Set(perAppend)).toEqual(new Set([1]));
  });

  it(`keeps the last ${RECENT_COMMITS} command ids of a stream with their fingerprints, newest first`, async () => {
    const store = await newStore();
    for (let i = 0; i < 20; i++) await appendNext(store, { streamId: 's-1', commandId: `c-${i}`, amounts: [1] });
    const { recentCommits } = await store.load('s-1', counterDecider());
    expect(recentCommits).toHaveLength(RECENT_COMMITS);
    expect(recentCommits[0]).toBe(recentCommitEntry('c-19', 'fp-c-19'));
    expect(recentCommits.at(-1)).toBe(recentCommitEntry(`c-${20 - RECENT_COMMITS}`, `fp-c-${20 - RECENT_COMMITS}`));
    expect(recentCommitMatch(recentCommits, 'c-19', 'fp-c-19')).toBe('same');
    expect(recentCommitMatch(recentCommits, 'c-19', 'fp-other')).toBe('reused');
    expect(recentCommitMatch(recentCommits, `c-${19 - RECENT_COMMITS}`, `fp-c-${19 - RECENT_COMMITS}`)).toBeUndefined();
  });

  it('refuses a commit whose item would exceed 400 KB before writing anything', async () => {
    const store = await newStore();
    const huge = await decideOn(store, {
      streamId: 's-1',
      commandId: 'c-1',
      amounts: [1],
      note: 'y'.repeat(401 * 1024),
    });
    expect(() => store.assertFits(huge)).toThrow(/limit is 409600 bytes/);
    await expect(store.append(huge, later)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await store.load('s-1', counterDecider())).version).toBe(0);
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
          for (const [index, amounts] of batches.entries())
            await appendNext(store, { streamId, commandId: `${streamId}-c${index}`, amounts });
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
