import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  COMMIT_DETAIL_TYPE,
  RENOTIFY_DETAIL_TYPE,
  createEventBridgePublisher,
  entrySizeBytes,
} from '../src/eventbridge';
import { toCommit, type Commit } from '../src/index';
import { startCapturingBus } from '../src/testing';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

function commit(id: string, note = ''): Commit {
  return toCommit([{ type: 'Added', data: { note } }], {
    aggregate: 'counter',
    streamId: `s-${id}`,
    expectedVersion: 0,
    commandId: id,
    fingerprint: `fp-${id}`,
    correlationId: id,
    actor: { kind: 'system', id: 'test' },
    now: new Date('2026-11-28T10:00:00Z'),
    deadline: new Date('2026-11-28T10:00:10Z'),
    state: {},
    reducerVersion: 1,
    previousCommits: [],
  });
}

async function publisherAgainst(failWith?: (request: number, index: number) => string | undefined) {
  const bus = await startCapturingBus(failWith);
  closers.push(bus.close);
  const client = new EventBridgeClient({
    endpoint: bus.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  closers.push(async () => client.destroy());
  const publisher = createEventBridgePublisher({
    eventBusName: 'core',
    source: 'core.counter',
    client,
    baseDelayMs: 1,
  });
  return { bus, publisher };
}

describe('EventBridge publisher', () => {
  it('publishes one entry per commit with the commit as detail', async () => {
    const { bus, publisher } = await publisherAgainst();
    await publisher.publish([commit('a')]);
    expect(bus.accepted).toHaveLength(1);
    expect(bus.accepted[0]).toMatchObject({
      Source: 'core.counter',
      DetailType: COMMIT_DETAIL_TYPE,
      EventBusName: 'core',
    });
    expect(JSON.parse(bus.accepted[0]?.Detail ?? '{}')).toMatchObject({ commitId: 'a', streamId: 's-a' });
    expect(publisher.metrics).toMatchObject({ requests: 1, entries: 1, billedEvents: 1 });
  });

  it('publishes a renotify request as its own entry, with the same source', async () => {
    const { bus, publisher } = await publisherAgainst();
    const request = { streamId: 's-a', commandId: 'a', fingerprint: 'fp-a', correlationId: 'a' };
    await publisher.renotify(request);
    expect(bus.accepted[0]).toMatchObject({ Source: 'core.counter', DetailType: RENOTIFY_DETAIL_TYPE });
    expect(JSON.parse(bus.accepted[0]?.Detail ?? '{}')).toEqual(request);
  });

  it('sends at most 10 entries per request', async () => {
    const { bus, publisher } = await publisherAgainst();
    await publisher.publish(Array.from({ length: 23 }, (_, i) => commit(`c${i}`)));
    expect(bus.requests.map((r) => r.length)).toEqual([10, 10, 3]);
  });

  it('keeps each request under 1 MB and bills 64 KB chunks', async () => {
    const { bus, publisher } = await publisherAgainst();
    await publisher.publish([
      commit('a', 'x'.repeat(400_000)),
      commit('b', 'x'.repeat(400_000)),
      commit('c', 'x'.repeat(400_000)),
    ]);
    expect(bus.requests.map((r) => r.length)).toEqual([2, 1]);
    expect(publisher.metrics.billedEvents).toBe(3 * 7);
  });

  it('refuses an entry of 1 MB or more with a clear error before sending anything', async () => {
    const { bus, publisher } = await publisherAgainst();
    await expect(publisher.publish([commit('a'), commit('big', 'x'.repeat(1024 * 1024))])).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/limit is 1048576 bytes/),
    });
    expect(bus.requests).toHaveLength(0);
  });

  it('retries only the entries that failed with a retryable code', async () => {
    const { bus, publisher } = await publisherAgainst((request, index) =>
      request === 1 && index === 1 ? 'ThrottlingException' : undefined,
    );
    await publisher.publish([commit('a'), commit('b'), commit('c')]);
    expect(bus.requests.map((r) => r.length)).toEqual([3, 1]);
    expect(bus.accepted.map((e) => JSON.parse(e.Detail).commitId).sort()).toEqual(['a', 'b', 'c']);
    expect(publisher.metrics.retries).toBe(1);
  });

  it('throws, naming the code, when a failure is not retryable', async () => {
    const { bus, publisher } = await publisherAgainst((_, index) =>
      index === 0 ? 'AccessDeniedException' : undefined,
    );
    await expect(publisher.publish([commit('a')])).rejects.toMatchObject({
      code: 'PUBLISH_FAILED',
      message: expect.stringContaining('AccessDeniedException'),
    });
    expect(bus.requests).toHaveLength(1);
  });

  it('throws after the last attempt when a retryable failure persists', async () => {
    const { bus, publisher } = await publisherAgainst(() => 'InternalFailure');
    await expect(publisher.publish([commit('a')])).rejects.toMatchObject({
      code: 'PUBLISH_FAILED',
      message: expect.stringContaining('4 attempt'),
    });
    expect(bus.requests).toHaveLength(4);
  });

  it('counts entry size as EventBridge does', () => {
    expect(entrySizeBytes({ Source: 'ab', DetailType: 'cd', Detail: '{"é":1}', Resources: ['r'] })).toBe(2 + 2 + 8 + 1);
    expect(entrySizeBytes({ Source: 'a', DetailType: 'b', Detail: '{}', Time: new Date() })).toBe(14 + 4);
  });
});
