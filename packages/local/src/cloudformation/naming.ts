/**
 * Deterministic stand-ins for the random parts of names and ids that AWS generates.
 *
 * CloudFormation appends a random suffix to generated physical names; locally the suffix is a hash
 * of a seed (stack name and logical id), so a restart finds the same tables and functions again.
 */
import { createHash } from 'node:crypto';

const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

/** `length` characters from `alphabet`, derived from the SHA-256 of `seed` (same seed, same answer). */
export function hashChars(seed: string, length: number, alphabet: string = UPPER_ALPHANUMERIC): string {
  let out = '';
  let counter = 0;
  while (out.length < length) {
    const digest = createHash('sha256').update(`${counter}:${seed}`).digest();
    for (const byte of digest) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
    counter += 1;
  }
  return out;
}

/** Lower-case letters and digits, as in AppSync API ids and API keys. */
export function hashLowerChars(seed: string, length: number): string {
  return hashChars(seed, length, LOWER_ALPHANUMERIC);
}

/** A version-4-shaped UUID derived from `seed` (for ids AWS shows as UUIDs, such as stack ids). */
export function hashUuid(seed: string): string {
  const hex = hashChars(seed, 32, HEX);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Options for {@link generatedName}. */
export interface GeneratedNameOptions {
  readonly stackName: string;
  readonly logicalId: string;
  /** The service's limit on the name's length; the stack and logical id parts are shortened to fit. */
  readonly maxLength: number;
  /** Length of the upper-case suffix. CloudFormation uses 12 or 13 random characters for most types. */
  readonly suffixLength: number;
  /** Leave the stack name out (`<logical>-<suffix>`), as CloudFormation does for state machines. */
  readonly withoutStackName?: boolean;
}

/**
 * The physical name CloudFormation would generate when a resource has no explicit name:
 * `<stack>-<logical>-<SUFFIX>`, shortened to the service's limit, with a deterministic suffix.
 *
 * @example
 * generatedName({ stackName: 'Core', logicalId: 'Events', maxLength: 255, suffixLength: 8 });
 * // 'Core-Events-' followed by 8 upper-case letters and digits, the same on every call
 */
export function generatedName(options: GeneratedNameOptions): string {
  const suffix = hashChars(`${options.stackName}/${options.logicalId}`, options.suffixLength);
  const room = Math.max(options.maxLength - suffix.length - 1, 0);
  if (options.withoutStackName) return `${options.logicalId.slice(0, room)}-${suffix}`;
  const full = `${options.stackName}-${options.logicalId}`;
  if (full.length <= room) return `${full}-${suffix}`;
  // Too long: share the room between the two parts, giving a short part's spare room to the other.
  const parts = room - 1;
  const stackPart = Math.max(Math.floor(parts / 2), parts - options.logicalId.length);
  const stack = options.stackName.slice(0, stackPart);
  return `${stack}-${options.logicalId.slice(0, parts - stack.length)}-${suffix}`;
}
