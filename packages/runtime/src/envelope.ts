/**
 * Envelopes and commits: what the command handler publishes and the event store keeps. A commit holds
 * everything the event handler needs to store it with one conditional write and no read: the events,
 * the state after them, and the stream's recent command ids.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Actor, DomainEvent, UniqueKey } from './decider';

/** A domain event with everything the store, the bus and a reader need to know about it. */
export interface EventEnvelope<Event extends DomainEvent = DomainEvent> {
  /** Deterministic per (aggregate, stream, command id, position): a retried command produces the same ids. */
  readonly id: string;
  readonly type: Event['type'];
  readonly streamId: string;
  /** 1 for the first event of a stream, then +1 per event. */
  readonly version: number;
  readonly data: Event['data'];
  /** When the command handler accepted the command (ISO 8601). */
  readonly occurredAt: string;
  /** Shared by everything one front-end request caused. */
  readonly correlationId: string;
  /** The command id that produced this event. */
  readonly causationId: string;
  readonly actor: Actor;
  /** After this instant (ISO 8601) the event is never stored; the client is told TIMEOUT instead. */
  readonly deadline: string;
}

/**
 * The unit of atomicity: all events one command produced, stored as one DynamoDB item and published
 * as one EventBridge entry. Stored all or none.
 */
export interface Commit<Event extends DomainEvent = DomainEvent> {
  /** The aggregate type: `reservation`. */
  readonly aggregate: string;
  readonly streamId: string;
  /** The command id; a second delivery of the same commit is recognised by it. */
  readonly commitId: string;
  /** A hash of the command (aggregate, field, input): tells a retry from another command reusing the id. */
  readonly fingerprint: string;
  /** The stream version the command handler decided on; the commit's first event is this + 1. */
  readonly expectedVersion: number;
  readonly correlationId: string;
  readonly deadline: string;
  /** Where the sender listens for the outcome; echoed in the notification. */
  readonly replyTo?: string;
  readonly events: EventEnvelope<Event>[];
  /** The state after this commit, as the command handler folded it with `reducerVersion`. */
  readonly state: unknown;
  readonly reducerVersion: number;
  /** {@link recentCommitEntry} of this commit and the stream's commits before it, newest first. */
  readonly recentCommits: readonly string[];
  /** Unique keys this commit claims for its stream (stored all or none with it). */
  readonly claims?: readonly UniqueKey[];
  /** Unique keys this commit gives up (claimed earlier by its stream). */
  readonly releases?: readonly string[];
  /**
   * The Step Functions task token of a saga step: the event handler reports the outcome to it
   * (SendTaskSuccess when stored, SendTaskFailure with the rejection code when not).
   */
  readonly taskToken?: string;
}

/**
 * How many of a stream's last commands its newest item remembers, for answering retries at once. A
 * command resent after more of them were stored costs one more read (its record) or, if it still
 * decides, a second delivery that the store recognises by the record; never a second commit.
 */
export const RECENT_COMMITS = 8;

/** Characters of a command id's hash in a recent-commit entry (base64url: 96 bits). */
const RECENT_ID_HASH_CHARS = 16;
/** Characters of the fingerprint in a recent-commit entry (base64url: 48 bits). */
const RECENT_FINGERPRINT_CHARS = 8;

export interface WrapOptions {
  readonly aggregate: string;
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly commandId: string;
  readonly fingerprint: string;
  readonly correlationId: string;
  readonly actor: Actor;
  readonly now: Date;
  readonly deadline: Date;
  readonly replyTo?: string;
  /** The state after the events. */
  readonly state: unknown;
  readonly reducerVersion: number;
  /** The stream's recent commits before this one (from its newest item). */
  readonly previousCommits: readonly string[];
  readonly claims?: readonly UniqueKey[];
  readonly releases?: readonly string[];
  readonly taskToken?: string;
}

/**
 * Wraps the events one command produced into a commit.
 *
 * @example
 * const commit = toCommit(events, { aggregate: 'reservation', streamId, expectedVersion: 0, ... });
 */
export function toCommit<Event extends DomainEvent>(events: Event[], options: WrapOptions): Commit<Event> {
  const occurredAt = options.now.toISOString();
  const deadline = options.deadline.toISOString();
  return {
    aggregate: options.aggregate,
    streamId: options.streamId,
    commitId: options.commandId,
    fingerprint: options.fingerprint,
    expectedVersion: options.expectedVersion,
    correlationId: options.correlationId,
    deadline,
    ...(options.replyTo === undefined ? {} : { replyTo: options.replyTo }),
    events: events.map((event, index) => ({
      id: eventId(options.aggregate, options.streamId, options.commandId, index),
      type: event.type,
      streamId: options.streamId,
      version: options.expectedVersion + index + 1,
      data: event.data,
      occurredAt,
      correlationId: options.correlationId,
      causationId: options.commandId,
      actor: options.actor,
      deadline,
    })),
    state: options.state,
    reducerVersion: options.reducerVersion,
    recentCommits: [recentCommitEntry(options.commandId, options.fingerprint), ...options.previousCommits].slice(
      0,
      RECENT_COMMITS,
    ),
    ...(options.claims === undefined || options.claims.length === 0 ? {} : { claims: options.claims }),
    ...(options.releases === undefined || options.releases.length === 0 ? {} : { releases: options.releases }),
    ...(options.taskToken === undefined ? {} : { taskToken: options.taskToken }),
  };
}

/**
 * What a command changes of its stream's unique keys: those it claims (held after, not before) and
 * those it releases (held before, not after).
 */
export function uniqueKeyChanges(
  before: readonly UniqueKey[],
  after: readonly UniqueKey[],
): { claims: UniqueKey[]; releases: string[] } {
  const held = new Set(before.map((unique) => unique.key));
  const kept = new Set(after.map((unique) => unique.key));
  return {
    claims: after.filter((unique) => !held.has(unique.key)),
    releases: [...held].filter((key) => !kept.has(key)),
  };
}

/**
 * One entry of a stream's recent commits: a hash of the command id and the start of its fingerprint,
 * 25 characters where the id and the whole fingerprint take 59, so that with the state and the events
 * a commit item stays within one DynamoDB write unit (1 KB) more often. Two of a stream's last
 * commands share an entry with odds of about 2^-90; a reused id whose other payload shares the
 * fingerprint's first 48 bits with the first would be taken for a retry (odds 2^-48 per reuse).
 */
export function recentCommitEntry(commandId: string, fingerprint: string): string {
  return `${commandIdHash(commandId)} ${fingerprint.slice(0, RECENT_FINGERPRINT_CHARS)}`;
}

/**
 * What a stream's recent commits say of a command: `same` (this id with this fingerprint: a retry),
 * `reused` (this id with another fingerprint), or undefined (not among them).
 */
export function recentCommitMatch(
  recentCommits: readonly string[],
  commandId: string,
  fingerprint: string,
): 'same' | 'reused' | undefined {
  const key = `${commandIdHash(commandId)} `;
  const entry = recentCommits.find((candidate) => candidate.startsWith(key));
  if (entry === undefined) return undefined;
  return entry.slice(key.length) === fingerprint.slice(0, RECENT_FINGERPRINT_CHARS) ? 'same' : 'reused';
}

function commandIdHash(commandId: string): string {
  return createHash('sha256').update(commandId).digest('base64url').slice(0, RECENT_ID_HASH_CHARS);
}

/** The version of a stream after this commit. */
export function lastVersion(commit: Pick<Commit, 'expectedVersion' | 'events'>): number {
  return commit.expectedVersion + commit.events.length;
}

/** Unwraps envelopes back into domain events for `evolve`. */
export function toDomainEvents<Event extends DomainEvent>(envelopes: readonly EventEnvelope<Event>[]): Event[] {
  return envelopes.map((envelope) => ({ type: envelope.type, data: envelope.data }) as Event);
}

/**
 * A UUID-formatted id derived from a name (SHA-256, version nibble 8 = "custom"): the same name gives
 * the same id, so a retried command (same command id) makes the same stream and event ids.
 */
export function deterministicId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The id of the event at `index` of a command's commit: the same for every attempt of the command. */
export function eventId(aggregate: string, streamId: string, commandId: string, index: number): string {
  return deterministicId(`${aggregate}/${streamId}/${commandId}/event/${index}`);
}

/** A random UUID v4 for a command that came without a command id. */
export function randomId(): string {
  return randomUUID();
}
