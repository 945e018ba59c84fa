/**
 * The shape checks of what the event handler is delivered. A commit that does not hold (missing
 * fields, versions out of sequence, another aggregate's commit, events of another command, an actor
 * that is not one) is thrown as a ValidationError, so it ends in the dead-letter queue with its
 * reason, and nothing of it is stored.
 *
 * These checks keep a malformed commit out of the store; they cannot tell a forged commit from a
 * real one (the commit carries the state after it). That is the bus's job: only the aggregate's
 * command handler may put its source on the bus (see the aggregate's construct).
 */
import { isDeepStrictEqual } from 'node:util';
import { ACTOR_KINDS } from '../decider';
import type { Commit } from '../envelope';
import { ValidationError } from '../errors';
import type { RenotifyRequest } from '../ports';

/**
 * @example
 * const commit = parseCommit(event.detail, 'reservation');
 */
export function parseCommit(detail: unknown, aggregate?: string): Commit {
  if (typeof detail !== 'object' || detail === null)
    throw new ValidationError('MALFORMED_COMMIT', 'event detail is not an object');
  const candidate = detail as Partial<Commit>;
  const problems = [
    ...textProblems(candidate, ['aggregate', 'streamId', 'commitId', 'fingerprint', 'correlationId', 'deadline']),
    ...numberProblems(candidate),
    ...eventProblems(candidate),
    ...actorProblems(candidate),
  ];
  if (aggregate !== undefined && typeof candidate.aggregate === 'string' && candidate.aggregate !== aggregate)
    problems.push(`aggregate must be ${aggregate}`);
  if (typeof candidate.deadline === 'string' && Number.isNaN(Date.parse(candidate.deadline)))
    problems.push('deadline must be an ISO date');
  if (!Array.isArray(candidate.recentCommits) || candidate.recentCommits.some((entry) => typeof entry !== 'string'))
    problems.push('recentCommits must be a list of texts');
  if (!('state' in candidate)) problems.push('state is required');
  if (candidate.taskToken !== undefined && (typeof candidate.taskToken !== 'string' || candidate.taskToken === ''))
    problems.push('taskToken must be a non-empty string');
  if (
    candidate.claims !== undefined &&
    (!Array.isArray(candidate.claims) ||
      candidate.claims.some((claim) => typeof claim?.key !== 'string' || typeof claim.code !== 'string'))
  )
    problems.push('claims must be a list of { key, code }');
  if (
    candidate.releases !== undefined &&
    (!Array.isArray(candidate.releases) || candidate.releases.some((key) => typeof key !== 'string'))
  )
    problems.push('releases must be a list of texts');
  if (problems.length > 0)
    throw new ValidationError('MALFORMED_COMMIT', `event detail is not a commit: ${problems.join('; ')}`);
  return candidate as Commit;
}

export function parseRenotifyRequest(detail: unknown): RenotifyRequest {
  if (typeof detail !== 'object' || detail === null)
    throw new ValidationError('MALFORMED_COMMIT', 'event detail is not an object');
  const problems = textProblems(detail as Record<string, unknown>, [
    'streamId',
    'commandId',
    'fingerprint',
    'correlationId',
  ]);
  const taskToken = (detail as Record<string, unknown>)['taskToken'];
  if (taskToken !== undefined && (typeof taskToken !== 'string' || taskToken === ''))
    problems.push('taskToken must be a non-empty string');
  if (problems.length > 0)
    throw new ValidationError('MALFORMED_COMMIT', `event detail is not a renotify request: ${problems.join('; ')}`);
  return detail as RenotifyRequest;
}

function textProblems(candidate: object, keys: readonly string[]): string[] {
  const values = candidate as Record<string, unknown>;
  return keys
    .filter((key) => typeof values[key] !== 'string' || values[key] === '')
    .map((key) => `${key} must be a non-empty string`);
}

function numberProblems(candidate: Partial<Commit>): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(candidate.expectedVersion) || (candidate.expectedVersion ?? -1) < 0)
    problems.push('expectedVersion must be a non-negative integer');
  if (!Number.isInteger(candidate.reducerVersion)) problems.push('reducerVersion must be an integer');
  return problems;
}

/**
 * The events' metadata: every event caused by this commit's command, with the commit's correlation
 * id and deadline, and one actor that is one (a known kind, a non-empty id, an optional user and
 * roles), the same on every event.
 */
function actorProblems(candidate: Partial<Commit>): string[] {
  if (!Array.isArray(candidate.events) || candidate.events.length === 0) return [];
  const events = candidate.events.filter((event) => typeof event === 'object' && event !== null);
  const problems: string[] = [];
  if (events.some((event) => event.causationId !== candidate.commitId))
    problems.push("every event's causationId must be the commitId");
  if (events.some((event) => event.correlationId !== candidate.correlationId || event.deadline !== candidate.deadline))
    problems.push("every event must carry the commit's correlationId and deadline");
  const [first] = events;
  if (first === undefined || !isActor(first.actor)) problems.push('every event must carry an actor (kind, id)');
  else if (events.some((event) => !isDeepStrictEqual(event.actor, first.actor)))
    problems.push('every event of a commit must carry the same actor');
  return problems;
}

function isActor(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const actor = value as Record<string, unknown>;
  const text = (field: unknown, max: number) => typeof field === 'string' && field !== '' && field.length <= max;
  return (
    (ACTOR_KINDS as readonly unknown[]).includes(actor.kind) &&
    text(actor.id, 2048) &&
    (actor.userId === undefined || text(actor.userId, 128)) &&
    (actor.roles === undefined || (Array.isArray(actor.roles) && actor.roles.every((role) => text(role, 64))))
  );
}

/** The events: a non-empty list, of this stream, numbered on from the expected version. */
function eventProblems(candidate: Partial<Commit>): string[] {
  if (!Array.isArray(candidate.events) || candidate.events.length === 0) return ['events must be a non-empty array'];
  const expected = candidate.expectedVersion ?? 0;
  const wrong = candidate.events.findIndex(
    (event, index) =>
      typeof event !== 'object' ||
      event === null ||
      event.streamId !== candidate.streamId ||
      event.version !== expected + index + 1 ||
      typeof event.type !== 'string',
  );
  return wrong < 0 ? [] : [`event ${wrong} must be of this stream, typed, and numbered ${expected + wrong + 1}`];
}
