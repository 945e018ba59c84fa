/**
 * A command's fingerprint: 128 bits of SHA-256 over the aggregate, the mutation field, its
 * arguments in canonical JSON (keys sorted, absent and null values dropped, `commandId`, `replyTo` and
 * a saga step's `taskToken` left out) and who sent it (the actor's kind, id and user). A retry of the
 * same command by the same caller has the same fingerprint; another command, or another caller, that
 * reuses the command id has another, so it is refused and never answered with the first command's outcome.
 */
import { createHash } from 'node:crypto';
import type { Actor } from './decider';

/** Arguments that say how a command is sent, not what it asks. */
const DELIVERY_FIELDS = new Set(['commandId', 'replyTo', 'taskToken']);

/**
 * @example
 * commandFingerprint('reservation', 'createReservation', { input: { userId: 'u', commandId: 'c-1' } }, actor);
 */
export function commandFingerprint(
  aggregate: string,
  fieldName: string,
  args: Record<string, unknown>,
  actor: Actor,
): string {
  const sender = [actor.kind, actor.id, actor.userId ?? null];
  const text = canonicalJson([aggregate, fieldName, withoutDeliveryFields(args), sender]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function withoutDeliveryFields(args: Record<string, unknown>): Record<string, unknown> {
  const input = args['input'];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return args;
  const kept = Object.entries(input).filter(([key]) => !DELIVERY_FIELDS.has(key));
  return { ...args, input: Object.fromEntries(kept) };
}

/** JSON with object keys sorted and null or undefined members dropped, so equal inputs give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((element) => canonicalJson(element ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value)
      .filter(([, member]) => member !== null && member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
