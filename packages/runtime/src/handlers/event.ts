import { readConfig, type Config } from '../config';
import { storeOutcomeOf } from '../contract';
import type { DomainEvent, Reducer } from '../decider';
import type { Commit } from '../envelope';
import { DeadlineExceededError, ValidationError, isCoreError } from '../errors';
import { logInfo } from '../log';
import type { AppendOutcome, CommitOutcome, EventStore, Notifier } from '../ports';
import { memoize } from './memoize';

/** The EventBridge event a bus rule delivers: the commit is the detail. */
export interface CommitEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: unknown;
}

export interface EventHandlerAdapters<Variables> {
  readonly store: EventStore;
  readonly notifier: Notifier<Variables>;
}

export interface EventHandlerOptions<Event extends DomainEvent, State, Variables> {
  readonly reducer: Reducer<Event, State>;
  /** The notification mutation's variables for an outcome. */
  readonly toNotification: (outcome: CommitOutcome<State>) => Variables;
  /** Builds the adapters once per cold start from the validated configuration. */
  readonly adapters: (config: Config) => EventHandlerAdapters<Variables>;
  /** @default `readConfig(process.env)` */
  readonly config?: () => Config;
  /** @default the system clock */
  readonly clock?: () => Date;
}

/**
 * An EventBridge event handler: append the delivered commit to the event store, then notify the
 * subscribers of the outcome. Exactly one terminal outcome per commit: STORED (also for a repeated
 * delivery of a stored commit, which is recognised and not stored twice), REJECTED with CONFLICT
 * when another commit took the version, REJECTED with TIMEOUT when the deadline passed before it
 * was stored. A failure to store or to notify is thrown, so Lambda's async retry runs it again
 * (safe: the store recognises the duplicate) and, when retries run out, the dead-letter queue keeps it.
 *
 * @example
 * export const handler = createEventHandler({ reducer: reservationDecider, toNotification, adapters: (config) => ({ ... }) });
 */
export function createEventHandler<Event extends DomainEvent, State, Variables>(
  options: EventHandlerOptions<Event, State, Variables>,
): (event: CommitEvent) => Promise<CommitOutcome<State>> {
  const adapters = memoize(() => options.adapters((options.config ?? (() => readConfig(process.env)))()));
  const clock = options.clock ?? (() => new Date());

  return async (event) => {
    const commit = parseCommit(event.detail) as Commit<Event>;
    const log = { correlationId: commit.correlationId, commandId: commit.commitId, streamId: commit.streamId };
    const { store, notifier } = adapters();
    const started = Date.now();
    const outcome = await storeCommit(store, commit, options.reducer, clock());
    logInfo('commit handled', {
      ...log,
      step: 'store',
      outcome: storeOutcomeOf(outcome),
      version: outcome.status === 'STORED' ? outcome.version : undefined,
      durationMs: Date.now() - started,
    });
    const notifyStarted = Date.now();
    await notifier.notify(options.toNotification(outcome));
    logInfo('outcome notified', {
      ...log,
      step: 'notify',
      status: outcome.status,
      durationMs: Date.now() - notifyStarted,
    });
    return outcome;
  };
}

async function storeCommit<Event extends DomainEvent, State>(
  store: EventStore,
  commit: Commit<Event>,
  reducer: Reducer<Event, State>,
  now: Date,
): Promise<CommitOutcome<State>> {
  const stored = (result: AppendOutcome<State>): CommitOutcome<State> => ({
    status: 'STORED',
    commit,
    version: result.version,
    state: result.state,
  });
  if (now.getTime() > Date.parse(commit.deadline)) {
    // A late delivery of a commit that an earlier delivery stored in time is still STORED.
    const earlier = await store.findStored(commit, reducer);
    if (earlier !== undefined) return stored(earlier);
    const error = new DeadlineExceededError(commit.deadline, now.toISOString());
    return { status: 'REJECTED', commit, error: { code: 'TIMEOUT', message: error.message } };
  }
  try {
    return stored(await store.append(commit, reducer));
  } catch (error) {
    if (isCoreError(error) && error.code === 'CONFLICT') {
      return { status: 'REJECTED', commit, error: { code: 'CONFLICT', message: error.message } };
    }
    throw error;
  }
}

/** Checks that the event's detail is a commit; a malformed one is thrown (and so ends in the DLQ). */
export function parseCommit(detail: unknown): Commit {
  const candidate = detail as Partial<Commit> | null;
  const problems: string[] = [];
  if (typeof candidate !== 'object' || candidate === null)
    throw new ValidationError('MALFORMED_COMMIT', 'event detail is not an object');
  for (const key of ['aggregate', 'streamId', 'commitId', 'correlationId', 'deadline'] as const) {
    if (typeof candidate[key] !== 'string' || candidate[key] === '') problems.push(`${key} must be a non-empty string`);
  }
  if (!Number.isInteger(candidate.expectedVersion) || (candidate.expectedVersion ?? -1) < 0) {
    problems.push('expectedVersion must be a non-negative integer');
  }
  if (!Array.isArray(candidate.events) || candidate.events.length === 0)
    problems.push('events must be a non-empty array');
  if (typeof candidate.deadline === 'string' && Number.isNaN(Date.parse(candidate.deadline)))
    problems.push('deadline must be an ISO date');
  if (problems.length > 0)
    throw new ValidationError('MALFORMED_COMMIT', `event detail is not a commit: ${problems.join('; ')}`);
  return candidate as Commit;
}
