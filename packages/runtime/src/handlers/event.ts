/**
 * The event handler: a bus rule delivers a commit; store it (one transactional write) or reject it,
 * then notify the outcome. Every outcome comes from the command's record (see outcome.ts), so a
 * repeated delivery, a retry, a late delivery or a redrive of a dead letter is notified the same
 * outcome, and nothing is stored twice or after its deadline. A failure to store or to notify is
 * thrown: Lambda sends the event to the dead-letter queue, whose handler (below) settles it again.
 *
 * A commit (or renotify request) of a saga step carries a task token: after notifying, the outcome is
 * reported to the waiting Step Functions task, so the step counts as done only once it is stored.
 */
import { readConfig, type Config } from '../config';
import { storeOutcomeOf } from '../contract';
import { fold, type DomainEvent, type Reducer } from '../decider';
import { lastVersion, recentCommitEntry, RECENT_COMMITS, toDomainEvents, type Commit } from '../envelope';
import { ConfigurationError, DeadlineExceededError, ValidationError, isCoreError } from '../errors';
import { preview } from '../text';
import { COMMIT_DETAIL_TYPE, EXTERNAL_COMMIT_DETAIL_TYPE, RENOTIFY_DETAIL_TYPE } from '../bus-contract';
import type { LogFields } from '../contract';
import { logError, logInfo } from '../log';
import { outcomeOfRecord, type OutcomeRequest } from '../outcome';
import type { EventStore, FinalOutcome, Notifier, RejectionCode, RenotifyRequest, TaskReporter } from '../ports';
import { parseCommit, parseRenotifyRequest } from './commit-shape';
import { memoize } from './memoize';

/** The EventBridge event a bus rule delivers: the commit (or a renotify request) is the detail. */
export interface BusEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: unknown;
}

/** The SQS batch a dead-letter queue delivers; each body is a bus event that could not be handled. */
export interface DeadLetterBatch {
  readonly Records: readonly { readonly messageId: string; readonly body: string }[];
}

export interface EventHandlerAdapters<Variables> {
  readonly store: EventStore;
  readonly notifier: Notifier<Variables>;
  /** Reports saga steps' outcomes to Step Functions. @default none: a commit with a task token is then refused */
  readonly tasks?: TaskReporter;
  /**
   * No write starts later than this before a commit's deadline, so every write lands before it
   * (the store's requests time out sooner). @default 1500
   */
  readonly writeMarginMs?: number;
}

export interface EventHandlerOptions<Event extends DomainEvent, State, Variables> {
  /** The aggregate whose commits this handler stores: `reservation`. */
  readonly aggregate: string;
  readonly reducer: Reducer<Event, State>;
  /** The notification mutation's variables for an outcome. */
  readonly toNotification: (outcome: FinalOutcome<State>) => Variables;
  /** Builds the adapters once per cold start from the validated configuration. */
  readonly adapters: (config: Config) => EventHandlerAdapters<Variables>;
  /** @default `readConfig(process.env)` */
  readonly config?: () => Config;
  /** @default the system clock */
  readonly clock?: () => Date;
}

export interface EventHandlers<State> {
  /** For the bus rule: a `Commit` or `Renotify` event. Resolves with what was notified. */
  readonly handler: (event: BusEvent) => Promise<FinalOutcome<State> | undefined>;
  /** For the dead-letter queue's event source: settles each dead letter again; failed ones stay queued. */
  readonly deadLetterHandler: (batch: DeadLetterBatch) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
}

const DEFAULT_WRITE_MARGIN_MS = 1_500;

/**
 * @example
 * export const { handler, deadLetterHandler } = createEventHandlers({ aggregate: 'reservation', reducer, toNotification, adapters });
 */
export function createEventHandlers<Event extends DomainEvent, State, Variables>(
  options: EventHandlerOptions<Event, State, Variables>,
): EventHandlers<State> {
  const adapters = memoize(() => options.adapters((options.config ?? (() => readConfig(process.env)))()));
  const clock = options.clock ?? (() => new Date());

  async function settleCommit(commit: Commit): Promise<FinalOutcome<State>> {
    const { store, writeMarginMs = DEFAULT_WRITE_MARGIN_MS } = adapters();
    const notAfter = new Date(Date.parse(commit.deadline) - writeMarginMs);
    const reject = async (code: RejectionCode, message: string) =>
      outcomeOfRecord(await store.recordRejection(commit, code, message), askedBy(commit), store, options.reducer);
    try {
      const result = await store.append(commit, { notAfter, clock });
      if (result.status === 'stored') return storedOutcome<State>(commit);
      if (result.status === 'unique-taken')
        return reject(result.code, `${result.key} belongs to another ${options.aggregate}`);
      if (result.record !== undefined) return outcomeOfRecord(result.record, askedBy(commit), store, options.reducer);
      return reject('CONFLICT', `another command changed ${commit.streamId} after version ${commit.expectedVersion}`);
    } catch (error) {
      if (!(isCoreError(error) && error.code === 'TIMEOUT')) throw error;
      return reject('TIMEOUT', new DeadlineExceededError(commit.deadline, clock().toISOString()).message);
    }
  }

  /**
   * An external commit (another aggregate's command handler decided its events): its state is
   * folded here, on the stream as stored (1 read), then it is stored like this aggregate's own.
   * A stream that moved past the expected version is a CONFLICT (unless this very commit is stored).
   */
  async function settleExternal(commit: Commit): Promise<FinalOutcome<State>> {
    const { store } = adapters();
    const loaded = await store.load(commit.streamId, options.reducer);
    if (loaded.version !== commit.expectedVersion) {
      const message = `${commit.streamId} is at version ${loaded.version}, not ${commit.expectedVersion}`;
      const record = await store.recordRejection(commit, 'CONFLICT', message);
      return outcomeOfRecord(record, askedBy(commit), store, options.reducer);
    }
    const events = toDomainEvents(commit.events as Commit<Event>['events']);
    return settleCommit({
      ...commit,
      state: fold(options.reducer, events, loaded.state),
      reducerVersion: options.reducer.reducerVersion,
      recentCommits: [recentCommitEntry(commit.commitId, commit.fingerprint), ...loaded.recentCommits].slice(
        0,
        RECENT_COMMITS,
      ),
    });
  }

  async function renotify(request: RenotifyRequest): Promise<FinalOutcome<State> | undefined> {
    const { store } = adapters();
    const record = await store.findCommand(request.commandId);
    return record === undefined ? undefined : outcomeOfRecord(record, request, store, options.reducer);
  }

  async function handler(event: BusEvent): Promise<FinalOutcome<State> | undefined> {
    const started = Date.now();
    let asked: OutcomeRequest;
    let outcome: FinalOutcome<State> | undefined;
    let taskToken: string | undefined;
    if (event['detail-type'] === RENOTIFY_DETAIL_TYPE) {
      const request = parseRenotifyRequest(event.detail);
      asked = request;
      taskToken = request.taskToken;
      outcome = await renotify(request);
    } else if (event['detail-type'] === EXTERNAL_COMMIT_DETAIL_TYPE) {
      const commit = parseCommit(event.detail, options.aggregate);
      asked = askedBy(commit);
      outcome = await settleExternal(commit);
    } else {
      if (event['detail-type'] !== COMMIT_DETAIL_TYPE)
        throw new ValidationError('MALFORMED_COMMIT', `unknown detail-type ${preview(event['detail-type'])}`);
      const commit = parseCommit(event.detail, options.aggregate);
      if (commit.taskToken !== undefined && adapters().tasks === undefined)
        throw new ConfigurationError(`the ${options.aggregate} event handler has no task reporter for a saga step`);
      asked = askedBy(commit);
      taskToken = commit.taskToken;
      outcome = await settleCommit(commit);
    }
    const log = { correlationId: asked.correlationId, commandId: asked.commandId, streamId: asked.streamId };
    logInfo('command settled', {
      ...log,
      step: 'store',
      outcome: storeOutcomeOf(outcome),
      ...(outcome?.status === 'STORED' ? { version: outcome.version } : {}),
      durationMs: Date.now() - started,
    });
    if (outcome === undefined) return undefined;
    const notifyStarted = Date.now();
    const variables = options.toNotification(outcome);
    await adapters().notifier.notify(variables);
    logInfo('outcome notified', {
      ...log,
      step: 'notify',
      status: outcome.status,
      durationMs: Date.now() - notifyStarted,
    });
    if (taskToken !== undefined) await report(taskToken, outcome, variables, log);
    return outcome;
  }

  /** Tells the waiting saga step: the notification's variables when stored, the rejection code when not. */
  async function report(taskToken: string, outcome: FinalOutcome<State>, variables: Variables, log: LogFields) {
    const tasks = adapters().tasks;
    if (tasks === undefined)
      throw new ConfigurationError(`the ${options.aggregate} event handler has no task reporter for a saga step`);
    const reportStarted = Date.now();
    if (outcome.status === 'STORED') await tasks.succeed(taskToken, variables);
    else await tasks.fail(taskToken, outcome.error.code, outcome.error.message);
    logInfo('outcome reported to the saga', {
      ...log,
      step: 'report',
      status: outcome.status,
      durationMs: Date.now() - reportStarted,
    });
  }

  async function deadLetterHandler(batch: DeadLetterBatch) {
    const results = await Promise.allSettled(
      batch.Records.map((record) => handler(JSON.parse(record.body) as BusEvent)),
    );
    const batchItemFailures: { itemIdentifier: string }[] = [];
    results.forEach((result, index) => {
      const messageId = batch.Records[index]?.messageId ?? '';
      if (result.status === 'fulfilled') return;
      logError('dead letter not settled; it stays queued', result.reason, { step: 'dead-letter', messageId });
      batchItemFailures.push({ itemIdentifier: messageId });
    });
    return { batchItemFailures };
  }

  return { handler, deadLetterHandler };
}

/** The command a commit answers for, as the outcome helpers take it. */
function askedBy(commit: Commit): OutcomeRequest {
  return {
    streamId: commit.streamId,
    commandId: commit.commitId,
    fingerprint: commit.fingerprint,
    correlationId: commit.correlationId,
    ...(commit.replyTo === undefined ? {} : { replyTo: commit.replyTo }),
  };
}

function storedOutcome<State>(commit: Commit): FinalOutcome<State> {
  return {
    ...askedBy(commit),
    status: 'STORED',
    version: lastVersion(commit),
    state: commit.state as State,
  };
}
