/**
 * The ports between the handlers and their adapters: the event store, the publisher and the notifier,
 * and the outcome of a command as the answer contract defines it.
 */
import type { DomainEvent, Reducer } from './decider';
import type { Commit } from './envelope';

/** A stream's state as the handlers need it, read in one request when possible. */
export interface LoadedStream<State> {
  readonly state: State;
  /** The stream's version: the number of events in it (0 for a new stream). */
  readonly version: number;
  /** The newest item's recent commits (`"<command id> <fingerprint>"`, newest first). */
  readonly recentCommits: readonly string[];
  /** True when the kept state could not be used and every commit was read and folded. */
  readonly folded: boolean;
}

/** Why the runtime did not store an accepted command. */
export type RuntimeRejectionCode = 'CONFLICT' | 'TIMEOUT' | 'COMMAND_ID_REUSED';

/**
 * Why an accepted command was not stored: a runtime reason, or the code of a unique key another
 * stream holds (`EMAIL_ALREADY_REGISTERED`, chosen by the aggregate's `uniqueKeys`).
 */
export type RejectionCode = RuntimeRejectionCode | Uppercase<string>;

/**
 * A command's record: written once, with the commit (STORED) or instead of it (REJECTED), and never
 * changed. It is what makes one command id have one outcome, whatever is retried or redelivered.
 */
export type CommandRecord =
  | {
      readonly status: 'STORED';
      readonly commandId: string;
      readonly fingerprint: string;
      readonly streamId: string;
      /** The stored commit's key: the version of its first event. */
      readonly firstVersion: number;
      /** The stream's version after the commit. */
      readonly version: number;
      readonly correlationId: string;
      readonly replyTo?: string;
    }
  | {
      readonly status: 'REJECTED';
      readonly commandId: string;
      readonly fingerprint: string;
      readonly streamId: string;
      readonly code: RejectionCode;
      readonly message: string;
      readonly correlationId: string;
      readonly replyTo?: string;
    };

/** What appending a commit did: stored, or refused because its version or its command id is taken. */
export type AppendResult =
  | { readonly status: 'stored' }
  | {
      readonly status: 'taken';
      /** The command id's record, when the command id already had one (a duplicate, a retry, a reuse). */
      readonly record: CommandRecord | undefined;
      /** The command id of the commit that holds the expected version, when another one does. */
      readonly occupiedBy: string | undefined;
    }
  | {
      /** A unique key the commit claims is held by another stream. */
      readonly status: 'unique-taken';
      readonly key: string;
      readonly code: Uppercase<string>;
    };

export interface AppendOptions {
  /** No attempt to write starts after this instant. */
  readonly notAfter: Date;
  /** The clock `notAfter` is read against. @default the system clock */
  readonly clock?: () => Date;
}

/** One commit as stored, with the state after it. */
export interface StoredCommit<State = unknown> {
  readonly commit: Commit;
  /** The state after this commit, as the reducer of `reducerVersion` computed it. */
  readonly state: State;
  readonly reducerVersion: number;
  readonly storedAt: string;
}

/** The event store: append-only streams of commits, and one record per command. */
export interface EventStore {
  load<Event extends DomainEvent, State>(
    streamId: string,
    reducer: Reducer<Event, State>,
  ): Promise<LoadedStream<State>>;
  /**
   * Writes the commit and its STORED record all or none (one transactional write), unless
   * `notAfter` has passed: then it throws a `DeadlineExceededError` without writing.
   */
  append(commit: Commit, options: AppendOptions): Promise<AppendResult>;
  /** Writes a REJECTED record unless the command id has a record; returns the record that holds. */
  recordRejection(commit: Commit, code: RejectionCode, message: string): Promise<CommandRecord>;
  findCommand(commandId: string): Promise<CommandRecord | undefined>;
  /** The state after the commit whose first event has `firstVersion`, folded again if the reducer changed. */
  stateAt<Event extends DomainEvent, State>(
    streamId: string,
    firstVersion: number,
    reducer: Reducer<Event, State>,
  ): Promise<State | undefined>;
  /** Throws a `PayloadTooLargeError` when the commit would not fit in the store. Called before publishing. */
  assertFits(commit: Commit): void;
  /** Every commit of a stream, oldest first, paging through the store. */
  readCommits(streamId: string): AsyncIterable<StoredCommit>;
}

/** Asks the event handler to notify a command's recorded outcome again (a retry of a settled command). */
export interface RenotifyRequest {
  readonly streamId: string;
  readonly commandId: string;
  readonly fingerprint: string;
  readonly correlationId: string;
  readonly replyTo?: string;
  /** The task token of the saga step that sent the command again: the outcome is reported to it too. */
  readonly taskToken?: string;
}

/** Publishes on the bus. Implementations: `@core/runtime/eventbridge`. */
export interface EventPublisher {
  /**
   * Resolves when every commit was accepted by the bus; throws otherwise (nothing is dropped silently).
   * @param detailType - `Commit`, or `ExternalCommit` for commits to another aggregate's streams
   */
  publish(commits: readonly Commit[], detailType?: string): Promise<void>;
  renotify(request: RenotifyRequest): Promise<void>;
}

/** What is known of a command: its final outcome, or PENDING while it may still be stored. */
export type CommandOutcome<State> =
  | (OutcomeAddress & { readonly status: 'STORED'; readonly version: number; readonly state: State })
  | (OutcomeAddress & {
      readonly status: 'REJECTED';
      readonly error: { readonly code: RejectionCode; readonly message: string };
    })
  | (OutcomeAddress & { readonly status: 'PENDING' });

/** The final outcomes: what is notified. */
export type FinalOutcome<State> = Exclude<CommandOutcome<State>, { status: 'PENDING' }>;

export interface OutcomeAddress {
  readonly streamId: string;
  readonly commandId: string;
  /** The fingerprint of the command this outcome answers (absent for PENDING of an unknown command). */
  readonly fingerprint?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
}

/** Tells subscribers what happened to a command. Implementations: `@core/runtime/appsync`. */
export interface Notifier<Variables> {
  notify(variables: Variables): Promise<void>;
}

/**
 * Reports a saga step's outcome to the Step Functions task waiting for it. Implementations:
 * `@core/runtime/stepfunctions`. A task that no longer waits (it timed out, or was reported before)
 * is not an error: there is nothing left to report to.
 */
export interface TaskReporter {
  /** SendTaskSuccess with the output (a JSON value). */
  succeed(taskToken: string, output: unknown): Promise<void>;
  /** SendTaskFailure: `error` is what the state machine's Retry and Catch match (the rejection code). */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}
