import type { DomainEvent, Reducer } from './decider';
import type { Commit } from './envelope';

/** A stream's state as the handlers need it, read in a constant number of requests when possible. */
export interface LoadedStream<State> {
  readonly state: State;
  /** The stream's version: the number of events in it (0 for a new stream). */
  readonly version: number;
  /** Ids of the last commits (newest first, at most {@link RECENT_COMMIT_IDS}): a retried command is recognised by them. */
  readonly recentCommitIds: readonly string[];
  /** True when the kept state could not be used and every commit was read and folded. */
  readonly folded: boolean;
}

/** How many commit ids a stream remembers for command-level idempotency. */
export const RECENT_COMMIT_IDS = 32;

/** What appending a commit did. A duplicate delivery of a stored commit is not an error. */
export type AppendOutcome<State> =
  | { readonly status: 'stored'; readonly version: number; readonly state: State }
  | { readonly status: 'duplicate'; readonly version: number; readonly state: State };

/** One commit as stored, with the state after it. */
export interface StoredCommit<State = unknown> {
  readonly commit: Commit;
  /** The state after this commit, as the reducer of `reducerVersion` computed it. */
  readonly state: State;
  readonly reducerVersion: number;
  readonly storedAt: string;
}

/**
 * The event store: append-only streams of commits. Implementations: `@core/runtime/dynamodb`.
 * `append` throws a `ConcurrencyError` when another commit already took the expected version.
 */
export interface EventStore {
  load<Event extends DomainEvent, State>(
    streamId: string,
    reducer: Reducer<Event, State>,
  ): Promise<LoadedStream<State>>;
  append<Event extends DomainEvent, State>(
    commit: Commit<Event>,
    reducer: Reducer<Event, State>,
  ): Promise<AppendOutcome<State>>;
  /** The stored commit with this id at the commit's position, if a previous delivery stored it. */
  findStored<Event extends DomainEvent, State>(
    commit: Commit<Event>,
    reducer: Reducer<Event, State>,
  ): Promise<AppendOutcome<State> | undefined>;
  /**
   * Throws a `PayloadTooLargeError` when the commit, kept with `state` (the state after it), would not
   * fit in the store. The command handler calls it before publishing anything.
   */
  assertFits(commit: Commit, state: unknown, reducerVersion: number, recentCommitIds: readonly string[]): void;
  /** Every commit of a stream, oldest first, paging through the store. */
  readCommits(streamId: string): AsyncIterable<StoredCommit>;
}

/** Publishes accepted commits on the bus. Implementations: `@core/runtime/eventbridge`. */
export interface EventPublisher {
  /** Resolves when every commit was accepted by the bus; throws otherwise (nothing is dropped silently). */
  publish(commits: readonly Commit[]): Promise<void>;
}

/** The terminal answer for one commit, sent to the subscription the front-end server opened. */
export type CommitOutcome<State> =
  | { readonly status: 'STORED'; readonly commit: Commit; readonly version: number; readonly state: State }
  | {
      readonly status: 'REJECTED';
      readonly commit: Commit;
      readonly error: { readonly code: 'CONFLICT' | 'TIMEOUT'; readonly message: string };
    };

/** Tells subscribers what happened to a commit. Implementations: `@core/runtime/appsync`. */
export interface Notifier<Variables> {
  notify(variables: Variables): Promise<void>;
}
