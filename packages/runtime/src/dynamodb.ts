/**
 * The DynamoDB event store. One item per commit, keyed by stream id and the commit's first version:
 *
 * | attribute | type | meaning |
 * |---|---|---|
 * | `streamId` | S, partition key | the aggregate instance |
 * | `version` | N, sort key | version of the commit's first event |
 * | `lastVersion` | N | version of its last event (the stream's version after it) |
 * | `commitId` | S | the command id: a second delivery is recognised by it |
 * | `events` | S | the commit's event envelopes, JSON |
 * | `state` | S | the state after the commit, JSON, as `reducerVersion` computed it |
 * | `reducerVersion` | N | the reducer version that computed `state` |
 * | `recentCommitIds` | L | the last 32 commit ids, newest first |
 *
 * Optimistic concurrency: a put is conditional on the key being free, and the key is the expected
 * version + 1, so two commits decided on the same version collide on the same item. One item per
 * commit makes a commit atomic without transactions (dynalite has none). Loading reads the newest
 * item only (1 request) and folds the whole stream only when the kept state's reducer version is old.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type ConsumedCapacity,
} from '@aws-sdk/client-dynamodb';
import { fold, type DomainEvent, type Reducer } from './decider';
import { lastVersion, toDomainEvents, type Commit } from './envelope';
import { ConcurrencyError, DependencyError, PayloadTooLargeError } from './errors';
import { DYNAMODB_ITEM_LIMIT_BYTES, itemSizeBytes, type AttributeValueShape } from './item-size';
import { RECENT_COMMIT_IDS, type AppendOutcome, type EventStore, type LoadedStream, type StoredCommit } from './ports';

export interface DynamoDbEventStoreOptions {
  readonly tableName: string;
  /** @default a client configured from the environment (region, credentials, AWS_ENDPOINT_URL_DYNAMODB) */
  readonly client?: DynamoDBClient;
}

/** Requests and capacity units used, for the "reads per command" benchmark and tests. */
export interface EventStoreMetrics {
  readRequests: number;
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
}

export interface DynamoDbEventStore extends EventStore {
  readonly metrics: EventStoreMetrics;
}

interface CommitItem {
  readonly commit: Commit;
  readonly state: string;
  readonly reducerVersion: number;
  readonly recentCommitIds: string[];
  readonly storedAt: string;
}

/**
 * @example
 * const store = createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') });
 * const { state, version } = await store.load(streamId, reservationDecider);
 */
export function createDynamoDbEventStore(options: DynamoDbEventStoreOptions): DynamoDbEventStore {
  const client = options.client ?? new DynamoDBClient({});
  const TableName = options.tableName;
  const metrics: EventStoreMetrics = { readRequests: 0, writeRequests: 0, readUnits: 0, writeUnits: 0 };

  const countRead = (capacity: ConsumedCapacity | undefined) => {
    metrics.readRequests += 1;
    metrics.readUnits += capacity?.CapacityUnits ?? 0;
  };

  async function newestItem(streamId: string): Promise<CommitItem | undefined> {
    const result = await client.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    countRead(result.ConsumedCapacity);
    const item = result.Items?.[0];
    return item === undefined ? undefined : fromItem(item);
  }

  async function itemAt(streamId: string, version: number): Promise<CommitItem | undefined> {
    const result = await client.send(
      new GetItemCommand({
        TableName,
        Key: { streamId: { S: streamId }, version: { N: String(version) } },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    countRead(result.ConsumedCapacity);
    return result.Item === undefined ? undefined : fromItem(result.Item);
  }

  async function* readItems(streamId: string, upToVersion = Number.MAX_SAFE_INTEGER): AsyncGenerator<CommitItem> {
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'streamId = :s AND #version <= :v',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':s': { S: streamId }, ':v': { N: String(upToVersion) } },
          ConsistentRead: true,
          ExclusiveStartKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      countRead(page.ConsumedCapacity);
      for (const item of page.Items ?? []) yield fromItem(item);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
  }

  /** The state after `item`: the kept one if the reducer is unchanged, else a fold of every commit up to it. */
  async function stateAfter<Event extends DomainEvent, State>(
    item: CommitItem,
    reducer: Reducer<Event, State>,
  ): Promise<{ state: State; folded: boolean }> {
    if (item.reducerVersion === reducer.reducerVersion)
      return { state: JSON.parse(item.state) as State, folded: false };
    let state = reducer.initialState;
    for await (const each of readItems(item.commit.streamId, item.commit.expectedVersion + 1)) {
      state = fold(reducer, toDomainEvents(each.commit.events as Commit<Event>['events']), state);
    }
    return { state, folded: true };
  }

  async function load<Event extends DomainEvent, State>(
    streamId: string,
    reducer: Reducer<Event, State>,
  ): Promise<LoadedStream<State> & { newest?: CommitItem }> {
    const newest = await newestItem(streamId);
    if (newest === undefined) {
      return { state: reducer.initialState, version: 0, recentCommitIds: [], folded: false };
    }
    const { state, folded } = await stateAfter(newest, reducer);
    return { state, version: lastVersion(newest.commit), recentCommitIds: newest.recentCommitIds, folded, newest };
  }

  async function findStored<Event extends DomainEvent, State>(
    commit: Commit<Event>,
    reducer: Reducer<Event, State>,
  ): Promise<AppendOutcome<State> | undefined> {
    const stored = await itemAt(commit.streamId, commit.expectedVersion + 1);
    if (stored === undefined || stored.commit.commitId !== commit.commitId) return undefined;
    const { state } = await stateAfter(stored, reducer);
    return { status: 'duplicate', version: lastVersion(stored.commit), state };
  }

  function toItem(
    commit: Commit,
    state: unknown,
    reducerVersion: number,
    previousCommitIds: readonly string[],
  ): Record<string, AttributeValueShape> {
    const recentCommitIds = [commit.commitId, ...previousCommitIds].slice(0, RECENT_COMMIT_IDS);
    return {
      streamId: { S: commit.streamId },
      version: { N: String(commit.expectedVersion + 1) },
      lastVersion: { N: String(lastVersion(commit)) },
      commitId: { S: commit.commitId },
      aggregate: { S: commit.aggregate },
      correlationId: { S: commit.correlationId },
      deadline: { S: commit.deadline },
      events: { S: JSON.stringify(commit.events) },
      state: { S: JSON.stringify(state) },
      reducerVersion: { N: String(reducerVersion) },
      recentCommitIds: { L: recentCommitIds.map((id) => ({ S: id })) },
      storedAt: { S: new Date().toISOString() },
    };
  }

  async function append<Event extends DomainEvent, State>(
    commit: Commit<Event>,
    reducer: Reducer<Event, State>,
  ): Promise<AppendOutcome<State>> {
    if (commit.events.length === 0)
      throw new DependencyError('EMPTY_COMMIT', `commit ${commit.commitId} has no events`);
    const current = await load(commit.streamId, reducer);
    if (current.version !== commit.expectedVersion) {
      const stored = await findStored(commit, reducer);
      if (stored !== undefined) return stored;
      throw new ConcurrencyError(commit.streamId, commit.expectedVersion, current.version);
    }
    const state = fold(reducer, toDomainEvents(commit.events), current.state);
    const item = toItem(commit, state, reducer.reducerVersion, current.recentCommitIds);
    assertItemFits(commit, item);
    try {
      const result = await client.send(
        new PutItemCommand({
          TableName,
          Item: item as Record<string, AttributeValue>,
          ConditionExpression: 'attribute_not_exists(#version)',
          ExpressionAttributeNames: { '#version': 'version' },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      metrics.writeRequests += 1;
      metrics.writeUnits += result.ConsumedCapacity?.CapacityUnits ?? 0;
    } catch (error) {
      metrics.writeRequests += 1;
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = await findStored(commit, reducer);
      if (stored !== undefined) return stored;
      throw new ConcurrencyError(commit.streamId, commit.expectedVersion);
    }
    return { status: 'stored', version: lastVersion(commit), state };
  }

  async function* readCommits(streamId: string): AsyncIterable<StoredCommit> {
    for await (const item of readItems(streamId)) {
      yield {
        commit: item.commit,
        state: JSON.parse(item.state) as unknown,
        reducerVersion: item.reducerVersion,
        storedAt: item.storedAt,
      };
    }
  }

  function assertFits(
    commit: Commit,
    state: unknown,
    reducerVersion: number,
    recentCommitIds: readonly string[],
  ): void {
    assertItemFits(commit, toItem(commit, state, reducerVersion, recentCommitIds));
  }

  return { metrics, load, append, findStored, readCommits, assertFits };
}

function assertItemFits(commit: Commit, item: Record<string, AttributeValueShape>): void {
  const size = itemSizeBytes(item);
  if (size > DYNAMODB_ITEM_LIMIT_BYTES) {
    throw new PayloadTooLargeError(`commit ${commit.commitId} (one DynamoDB item)`, size, DYNAMODB_ITEM_LIMIT_BYTES);
  }
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function fromItem(item: Record<string, AttributeValue>): CommitItem {
  const text = (name: string): string => {
    const value = item[name]?.S;
    if (value === undefined) throw new DependencyError('CORRUPT_ITEM', `event store item has no string ${name}`);
    return value;
  };
  const number = (name: string): number => Number(item[name]?.N ?? Number.NaN);
  const events = JSON.parse(text('events')) as Commit['events'];
  const first = number('version');
  return {
    commit: {
      aggregate: text('aggregate'),
      streamId: text('streamId'),
      commitId: text('commitId'),
      expectedVersion: first - 1,
      correlationId: text('correlationId'),
      deadline: text('deadline'),
      events,
    },
    state: text('state'),
    reducerVersion: number('reducerVersion'),
    recentCommitIds: (item.recentCommitIds?.L ?? []).flatMap((id) => (id.S === undefined ? [] : [id.S])),
    storedAt: text('storedAt'),
  };
}

/**
 * The event table's key schema, shared by the CDK construct and test set-ups:
 * partition key `streamId` (S), sort key `version` (N).
 */
export const EVENTS_TABLE_KEYS = {
  partitionKey: { name: 'streamId', type: 'S' },
  sortKey: { name: 'version', type: 'N' },
} as const;
