/**
 * The DynamoDB event store. One item per commit, keyed by stream id and the commit's first version,
 * and one record per command id, written with the commit in one transaction:
 *
 * | item | `streamId` (partition) | `version` (sort) | holds |
 * |---|---|---|---|
 * | commit | the aggregate instance | version of the commit's first event | `events` (what the commit does not imply), `state` after them, `recentCommits`, ids |
 * | command record | `command#<command id>` | 0 | STORED (where) or REJECTED (why), the command's fingerprint |
 * | unique claim | `claim#<key>` | 0 | `owner`: the stream that holds the key (absent once released) |
 *
 * Both puts are conditional on their key being free. Two commits decided on the same version collide
 * on the commit key: one is stored, the other is told CONFLICT. Two deliveries (or two attempts) of one
 * command collide on its record: one command id has one outcome, whatever is retried. A rejection is
 * recorded the same way, so a later attempt of a rejected command cannot be stored.
 *
 * A commit that claims unique keys puts their claims in the same transaction, each conditional on the
 * key being free or already its stream's; a commit that gives a key up puts it back without an owner,
 * conditional on its stream owning it. Of two streams racing for a key, one is stored and the other is
 * told the key's code. A store may also keep projections (read models) in the same transaction: their
 * items are put with the commit, so a projection holds stored commits only.
 *
 * Loading reads the newest item only (1 request) and folds the whole stream only when the kept state's
 * reducer version is old. Appending needs no read: the commit carries the state after it.
 *
 * A commit item keeps of each event only what its commit does not imply (see {@link toStoredEvent}):
 * the type and the data, as a rule. DynamoDB bills a write per started KB, twice in a transaction, and
 * the rest of an envelope (ids, stream, version, times, actor) is the commit's, written once.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type ConsumedCapacity,
} from '@aws-sdk/client-dynamodb';
import { dynamoDbClientConfig } from './aws-clients';
import { fold, type DomainEvent, type Reducer } from './decider';
import { eventId, lastVersion, toDomainEvents, type Commit, type EventEnvelope } from './envelope';
import { DeadlineExceededError, DependencyError, PayloadTooLargeError, ValidationError } from './errors';
import { DYNAMODB_ITEM_LIMIT_BYTES, itemSizeBytes, type AttributeValueShape } from './item-size';
import type {
  AppendOptions,
  AppendResult,
  CommandRecord,
  EventStore,
  LoadedStream,
  RejectionCode,
  StoredCommit,
} from './ports';

export interface DynamoDbEventStoreOptions {
  readonly tableName: string;
  /**
   * @default a client configured from the environment only (see aws-clients.ts), with the SDK's own
   * retries off (the store retries itself, and never starts a write after its deadline) and requests
   * that time out after {@link REQUEST_TIMEOUT_MS}, so a write started in time also ends in time.
   */
  readonly client?: DynamoDBClient;
  /**
   * Items of read models to put with each commit, in its transaction (so only stored commits are
   * projected, and a projection costs no request of its own). @default none
   */
  readonly project?: (commit: Commit) => readonly ProjectedItem[];
}

/** One item a projection puts with a commit (unconditionally: the commit's own condition orders them). */
export interface ProjectedItem {
  readonly TableName: string;
  readonly Item: Record<string, AttributeValue>;
}

/** Requests and capacity units used, for the "requests per command" benchmark and tests. */
export interface EventStoreMetrics {
  readRequests: number;
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
}

export interface DynamoDbEventStore extends EventStore {
  readonly metrics: EventStoreMetrics;
}

/** The partition key prefix of command records; no stream id may start with it. */
export const COMMAND_RECORD_PREFIX = 'command#';
/** The partition key prefix of unique claims; no stream id may start with it. */
export const CLAIM_PREFIX = 'claim#';

/** How long a read keeps retrying a throttled or failed request. */
const READ_RETRY_BUDGET_MS = 2_000;
/**
 * How long one request of the default client may take. Less than the event handler's write margin
 * (1.5 s): a write that starts before its `notAfter` has ended, one way or the other, before the deadline.
 */
export const REQUEST_TIMEOUT_MS = 1_000;
const RETRYABLE_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
  'ETIMEDOUT',
  'ECONNRESET',
]);

export interface CommitItem {
  readonly commit: Commit;
  readonly storedAt: string;
}

/**
 * @example
 * const store = createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') });
 * const { state, version } = await store.load(streamId, reservationDecider);
 */
export function createDynamoDbEventStore(options: DynamoDbEventStoreOptions): DynamoDbEventStore {
  const client =
    options.client ??
    new DynamoDBClient(dynamoDbClientConfig({ maxAttempts: 1, requestTimeoutMs: REQUEST_TIMEOUT_MS }));
  const TableName = options.tableName;
  const metrics: EventStoreMetrics = { readRequests: 0, writeRequests: 0, readUnits: 0, writeUnits: 0 };
  const count = (kind: 'read' | 'write', capacity: ConsumedCapacity | ConsumedCapacity[] | undefined) => {
    const units = [capacity ?? []].flat().reduce((sum, each) => sum + (each.CapacityUnits ?? 0), 0);
    if (kind === 'read') {
      metrics.readRequests += 1;
      metrics.readUnits += units;
    } else {
      metrics.writeRequests += 1;
      metrics.writeUnits += units;
    }
  };
  const read = <T extends { ConsumedCapacity?: ConsumedCapacity }>(send: () => Promise<T>): Promise<T> =>
    withRetries(send, new Date(Date.now() + READ_RETRY_BUDGET_MS)).then((result) => {
      count('read', result.ConsumedCapacity);
      return result;
    });

  async function newestItem(streamId: string): Promise<CommitItem | undefined> {
    const result = await read(() =>
      client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'streamId = :s',
          ExpressionAttributeValues: { ':s': { S: streamId } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    const item = result.Items?.[0];
    return item === undefined ? undefined : fromCommitItem(item);
  }

  async function getItem(key: Record<string, AttributeValue>): Promise<Record<string, AttributeValue> | undefined> {
    const result = await read(() =>
      client.send(new GetItemCommand({ TableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' })),
    );
    return result.Item;
  }

  async function* readItems(streamId: string, upToVersion = Number.MAX_SAFE_INTEGER): AsyncGenerator<CommitItem> {
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await read(() =>
        client.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'streamId = :s AND #version <= :v',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':s': { S: streamId }, ':v': { N: String(upToVersion) } },
            ConsistentRead: true,
            ExclusiveStartKey,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      for (const item of page.Items ?? []) yield fromCommitItem(item);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
  }

  /** The state after `item`: the kept one if the reducer is unchanged, else a fold of every commit up to it. */
  async function stateAfter<Event extends DomainEvent, State>(
    item: CommitItem,
    reducer: Reducer<Event, State>,
  ): Promise<{ state: State; folded: boolean }> {
    if (item.commit.reducerVersion === reducer.reducerVersion)
      return { state: item.commit.state as State, folded: false };
    let state = reducer.initialState;
    for await (const each of readItems(item.commit.streamId, item.commit.expectedVersion + 1)) {
      state = fold(reducer, toDomainEvents(each.commit.events as Commit<Event>['events']), state);
    }
    return { state, folded: true };
  }

  async function load<Event extends DomainEvent, State>(
    streamId: string,
    reducer: Reducer<Event, State>,
  ): Promise<LoadedStream<State>> {
    assertStreamId(streamId);
    const newest = await newestItem(streamId);
    if (newest === undefined) return { state: reducer.initialState, version: 0, recentCommits: [], folded: false };
    const { state, folded } = await stateAfter(newest, reducer);
    return { state, version: lastVersion(newest.commit), recentCommits: newest.commit.recentCommits, folded };
  }

  async function append(commit: Commit, appendOptions: AppendOptions): Promise<AppendResult> {
    const item = toCommitItem(commit);
    assertItemFits(commit, item);
    const record = toRecordItem(storedRecordOf(commit));
    const claims = commit.claims ?? [];
    const transaction = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName, Item: item, ...ifAbsent('version') } },
        { Put: { TableName, Item: record, ...ifAbsent('streamId') } },
        ...claims.map((claim) => ({ Put: { TableName, ...claimPut(claim.key, commit.streamId) } })),
        ...(commit.releases ?? []).map((key) => ({ Put: { TableName, ...releasePut(key, commit.streamId) } })),
        ...(options.project?.(commit) ?? []).map((projected) => ({ Put: projected })),
      ],
      ReturnConsumedCapacity: 'TOTAL',
    });
    try {
      const result = await withRetries(() => client.send(transaction), appendOptions.notAfter, {
        deadline: commit.deadline,
        clock: appendOptions.clock,
      });
      count('write', result.ConsumedCapacity);
      return { status: 'stored' };
    } catch (error) {
      if (!isNamed(error, 'TransactionCanceledException')) throw error;
      count('write', undefined);
      const reasons =
        (error as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] })
          .CancellationReasons ?? [];
      const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
      const taken = claims.find((_, index) => failed(2 + index));
      if (!failed(0) && !failed(1) && taken !== undefined)
        return { status: 'unique-taken', key: taken.key, code: taken.code };
      const existing = reasons[1]?.Item;
      return {
        status: 'taken',
        record: existing === undefined ? undefined : fromRecordItem(existing),
        occupiedBy: reasons[0]?.Item?.['commitId']?.S,
      };
    }
  }

  async function recordRejection(commit: Commit, code: RejectionCode, message: string): Promise<CommandRecord> {
    const record: CommandRecord = {
      status: 'REJECTED',
      commandId: commit.commitId,
      fingerprint: commit.fingerprint,
      streamId: commit.streamId,
      code,
      message,
      correlationId: commit.correlationId,
      ...(commit.replyTo === undefined ? {} : { replyTo: commit.replyTo }),
    };
    const put = new PutItemCommand({
      TableName,
      Item: toRecordItem(record),
      ...ifAbsent('streamId'),
      ReturnConsumedCapacity: 'TOTAL',
    });
    try {
      const result = await withRetries(() => client.send(put), new Date(Date.now() + READ_RETRY_BUDGET_MS));
      count('write', result.ConsumedCapacity);
      return record;
    } catch (error) {
      if (!isNamed(error, 'ConditionalCheckFailedException')) throw error;
      count('write', undefined);
      const existing = (error as { Item?: Record<string, AttributeValue> }).Item;
      const holding = existing === undefined ? await findCommand(commit.commitId) : fromRecordItem(existing);
      if (holding === undefined) throw new DependencyError('CORRUPT_ITEM', `command ${commit.commitId} has no record`);
      return holding;
    }
  }

  async function findCommand(commandId: string): Promise<CommandRecord | undefined> {
    const item = await getItem(recordKey(commandId));
    return item === undefined ? undefined : fromRecordItem(item);
  }

  async function stateAt<Event extends DomainEvent, State>(
    streamId: string,
    firstVersion: number,
    reducer: Reducer<Event, State>,
  ): Promise<State | undefined> {
    assertStreamId(streamId);
    const item = await getItem({ streamId: { S: streamId }, version: { N: String(firstVersion) } });
    return item === undefined ? undefined : (await stateAfter(fromCommitItem(item), reducer)).state;
  }

  async function* readCommits(streamId: string): AsyncIterable<StoredCommit> {
    assertStreamId(streamId);
    for await (const item of readItems(streamId)) {
      yield {
        commit: item.commit,
        state: item.commit.state,
        reducerVersion: item.commit.reducerVersion,
        storedAt: item.storedAt,
      };
    }
  }

  const assertFits = (commit: Commit): void => assertItemFits(commit, toCommitItem(commit));

  return { metrics, load, append, recordRejection, findCommand, stateAt, readCommits, assertFits };
}

/** A claim of a unique key for a stream: only when the key is free (never claimed, or released) or the stream's already. */
function claimPut(key: string, owner: string) {
  return {
    Item: { streamId: { S: `${CLAIM_PREFIX}${key}` }, version: { N: '0' }, owner: { S: owner } },
    ConditionExpression: 'attribute_not_exists(#owner) OR #owner = :owner',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':owner': { S: owner } },
  };
}

/** Gives a unique key up: the claim is put back without an owner, only by the stream that owns it. */
function releasePut(key: string, owner: string) {
  return {
    Item: { streamId: { S: `${CLAIM_PREFIX}${key}` }, version: { N: '0' }, releasedBy: { S: owner } },
    ConditionExpression: '#owner = :owner',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':owner': { S: owner } },
  };
}

/** A conditional put: only when no item has this key. On failure, DynamoDB returns the item there. */
function ifAbsent(keyAttribute: 'streamId' | 'version') {
  return {
    ConditionExpression: 'attribute_not_exists(#key)',
    ExpressionAttributeNames: { '#key': keyAttribute },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/**
 * Sends until it succeeds, a non-retryable error comes, or `until` passes; a write never starts after
 * `until`. With a `deadline`, running out of time is a DeadlineExceededError, else the last error.
 */
async function withRetries<T>(
  send: () => Promise<T>,
  until: Date,
  options: { deadline?: string; clock?: () => Date } = {},
): Promise<T> {
  const now = () => (options.clock ?? (() => new Date()))().getTime();
  const late = () => new DeadlineExceededError(options.deadline ?? '', new Date(now()).toISOString());
  for (let attempt = 0; ; attempt++) {
    if (options.deadline !== undefined && now() > until.getTime()) throw late();
    try {
      return await send();
    } catch (error) {
      const delay = Math.min(25 * 2 ** attempt, 500) * (0.5 + Math.random() / 2);
      const retryable = RETRYABLE_ERRORS.has(errorName(error));
      if (retryable && now() + delay <= until.getTime()) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      throw retryable && options.deadline !== undefined ? late() : error;
    }
  }
}

function errorName(error: unknown): string {
  if (!(error instanceof Error)) return '';
  return (error as { code?: string }).code ?? error.name;
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

function assertStreamId(streamId: string): void {
  for (const prefix of [COMMAND_RECORD_PREFIX, CLAIM_PREFIX]) {
    if (streamId.startsWith(prefix))
      throw new ValidationError('INVALID_ID', `an id may not start with ${prefix}`, 'id');
  }
}

function assertItemFits(commit: Commit, item: Record<string, AttributeValueShape>): void {
  const size = itemSizeBytes(item);
  if (size > DYNAMODB_ITEM_LIMIT_BYTES) {
    throw new PayloadTooLargeError(`commit ${commit.commitId} (one DynamoDB item)`, size, DYNAMODB_ITEM_LIMIT_BYTES);
  }
}

function storedRecordOf(commit: Commit): CommandRecord {
  return {
    status: 'STORED',
    commandId: commit.commitId,
    fingerprint: commit.fingerprint,
    streamId: commit.streamId,
    firstVersion: commit.expectedVersion + 1,
    version: lastVersion(commit),
    correlationId: commit.correlationId,
    ...(commit.replyTo === undefined ? {} : { replyTo: commit.replyTo }),
  };
}

function recordKey(commandId: string): Record<string, AttributeValue> {
  return { streamId: { S: `${COMMAND_RECORD_PREFIX}${commandId}` }, version: { N: '0' } };
}

function toCommitItem(commit: Commit): Record<string, AttributeValue> & Record<string, AttributeValueShape> {
  const frame = { ...commit, occurredAt: commit.events[0]?.occurredAt ?? '', actor: commit.events[0]?.actor ?? null };
  const events = commit.events.map((event, index) => toStoredEvent(event, impliedEnvelope(frame, index)));
  return {
    streamId: { S: commit.streamId },
    version: { N: String(commit.expectedVersion + 1) },
    lastVersion: { N: String(lastVersion(commit)) },
    commitId: { S: commit.commitId },
    fingerprint: { S: commit.fingerprint },
    aggregate: { S: commit.aggregate },
    correlationId: { S: commit.correlationId },
    deadline: { S: commit.deadline },
    ...(commit.replyTo === undefined ? {} : { replyTo: { S: commit.replyTo } }),
    occurredAt: { S: frame.occurredAt },
    actor: { S: JSON.stringify(frame.actor) },
    events: { S: JSON.stringify(events) },
    state: { S: JSON.stringify(commit.state) },
    reducerVersion: { N: String(commit.reducerVersion) },
    recentCommits: { L: commit.recentCommits.map((entry) => ({ S: entry })) },
    storedAt: { S: new Date().toISOString() },
  };
}

/** A commit item as the store reads it (exported for the testing subpath's table reader). */
export function fromCommitItem(item: Record<string, AttributeValue>): CommitItem {
  const text = (name: string): string => {
    const value = item[name]?.S;
    if (value === undefined) throw new DependencyError('CORRUPT_ITEM', `event store item has no string ${name}`);
    return value;
  };
  const json = (name: string, value: string): unknown => {
    try {
      return JSON.parse(value);
    } catch {
      throw new DependencyError('CORRUPT_ITEM', `event store item's ${name} attribute is not JSON`);
    }
  };
  const frame = {
    aggregate: text('aggregate'),
    streamId: text('streamId'),
    commitId: text('commitId'),
    expectedVersion: Number(item['version']?.N) - 1,
    correlationId: text('correlationId'),
    deadline: text('deadline'),
    // Absent from the items of earlier versions, whose events hold them in full.
    occurredAt: item['occurredAt']?.S ?? '',
    actor: json('actor', item['actor']?.S ?? 'null') as EventEnvelope['actor'] | null,
  };
  const stored = json('events', text('events'));
  if (!Array.isArray(stored))
    throw new DependencyError('CORRUPT_ITEM', "event store item's events attribute is not a list");
  return {
    commit: {
      aggregate: frame.aggregate,
      streamId: frame.streamId,
      commitId: frame.commitId,
      fingerprint: item['fingerprint']?.S ?? '',
      expectedVersion: frame.expectedVersion,
      correlationId: frame.correlationId,
      deadline: frame.deadline,
      ...(item['replyTo']?.S === undefined ? {} : { replyTo: item['replyTo'].S }),
      events: (stored as StoredEvent[]).map((event, index) => fromStoredEvent(event, impliedEnvelope(frame, index))),
      state: json('state', text('state')),
      reducerVersion: Number(item['reducerVersion']?.N ?? Number.NaN),
      recentCommits: (item['recentCommits']?.L ?? []).flatMap((entry) => (entry.S === undefined ? [] : [entry.S])),
    },
    storedAt: text('storedAt'),
  };
}

/** What a commit says of its event at `index` by itself: the event's envelope but its type and data. */
type ImpliedEnvelope = Omit<EventEnvelope, 'type' | 'data' | 'actor'> & {
  readonly actor: EventEnvelope['actor'] | null;
};

/** An event as a commit item keeps it: the fields its commit does not imply (or implies otherwise). */
type StoredEvent = Partial<EventEnvelope>;

interface CommitFrame {
  readonly aggregate: string;
  readonly streamId: string;
  readonly commitId: string;
  readonly expectedVersion: number;
  readonly correlationId: string;
  readonly deadline: string;
  readonly occurredAt: string;
  readonly actor: EventEnvelope['actor'] | null;
}

function impliedEnvelope(frame: CommitFrame, index: number): ImpliedEnvelope {
  return {
    id: eventId(frame.aggregate, frame.streamId, frame.commitId, index),
    streamId: frame.streamId,
    version: frame.expectedVersion + index + 1,
    occurredAt: frame.occurredAt,
    correlationId: frame.correlationId,
    causationId: frame.commitId,
    actor: frame.actor,
    deadline: frame.deadline,
  };
}

/** Keeps what `implied` does not say already: the type and the data of an event toCommit made. */
function toStoredEvent(event: EventEnvelope, implied: ImpliedEnvelope): StoredEvent {
  const impliedFields: Record<string, unknown> = implied;
  return Object.fromEntries(
    Object.entries(event).filter(([name, value]) => !sameValue(value, impliedFields[name])),
  ) as StoredEvent;
}

/** The whole envelope again, in the order toCommit writes its fields. */
function fromStoredEvent(stored: StoredEvent, implied: ImpliedEnvelope): EventEnvelope {
  const event = { ...implied, ...stored } as EventEnvelope;
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    version: event.version,
    data: event.data,
    occurredAt: event.occurredAt,
    correlationId: event.correlationId,
    causationId: event.causationId,
    actor: event.actor,
    deadline: event.deadline,
  };
}

function sameValue(value: unknown, implied: unknown): boolean {
  if (value === implied) return true;
  return typeof value === 'object' && value !== null && JSON.stringify(value) === JSON.stringify(implied);
}

function toRecordItem(record: CommandRecord): Record<string, AttributeValue> {
  const common = {
    ...recordKey(record.commandId),
    commandId: { S: record.commandId },
    status: { S: record.status },
    fingerprint: { S: record.fingerprint },
    stream: { S: record.streamId },
    correlationId: { S: record.correlationId },
    ...(record.replyTo === undefined ? {} : { replyTo: { S: record.replyTo } }),
    recordedAt: { S: new Date().toISOString() },
  };
  if (record.status === 'STORED')
    return { ...common, firstVersion: { N: String(record.firstVersion) }, lastVersion: { N: String(record.version) } };
  return { ...common, code: { S: record.code }, message: { S: record.message } };
}

/** A command record item as the store reads it (exported for the testing subpath's table reader). */
export function fromRecordItem(item: Record<string, AttributeValue>): CommandRecord {
  const text = (name: string): string => {
    const value = item[name]?.S;
    if (value === undefined) throw new DependencyError('CORRUPT_ITEM', `command record has no string ${name}`);
    return value;
  };
  const common = {
    commandId: text('commandId'),
    fingerprint: text('fingerprint'),
    streamId: text('stream'),
    correlationId: text('correlationId'),
    ...(item['replyTo']?.S === undefined ? {} : { replyTo: item['replyTo'].S }),
  };
  if (text('status') === 'STORED') {
    return {
      ...common,
      status: 'STORED',
      firstVersion: Number(item['firstVersion']?.N),
      version: Number(item['lastVersion']?.N),
    };
  }
  return { ...common, status: 'REJECTED', code: text('code') as RejectionCode, message: text('message') };
}

/**
 * The event table's key schema, shared by the CDK construct and test set-ups:
 * partition key `streamId` (S), sort key `version` (N).
 */
export const EVENTS_TABLE_KEYS = {
  partitionKey: { name: 'streamId', type: 'S' },
  sortKey: { name: 'version', type: 'N' },
} as const;
