/**
 * PutEvents validation and the event envelope, as EventBridge does them. Pure: the clock,
 * the id generator and the list of buses come in as arguments.
 */
import { PutEventsRequestError } from '../errors';
import type { EventEnvelope, PutEventsResultEntryJson } from './types';

/** Entries per request. */
const MIN_ENTRIES = 1;
const MAX_ENTRIES = 10;
/** Total entry size a request may have (AWS raised it from 256 KB to 1 MB on 2026-01-29). */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** The old limit, still in part of the user guide: requests above it get a warning. */
export const LEGACY_REQUEST_BYTES = 256 * 1024;
/** Every 64 KB chunk of an entry is billed as one event. */
const BILLING_CHUNK_BYTES = 64 * 1024;
const MAX_DETAIL_TYPE_LENGTH = 128;
/** Nesting limit of `Detail` (one model copy says 1100; the stricter 1000 is kept). */
const MAX_DETAIL_DEPTH = 1000;
/** Bytes counted for an entry that sets `Time`. */
const TIME_BYTES = 14;

/** An entry that passed validation. */
export interface AcceptedEntry {
  /** Its index in the request. */
  readonly index: number;
  readonly busName: string;
  readonly envelope: EventEnvelope;
  readonly sizeBytes: number;
}

/** The outcome of validating one request. */
export interface ValidatedPutEvents {
  /** One per request entry, in order: `EventId` or `ErrorCode`/`ErrorMessage`. */
  readonly results: PutEventsResultEntryJson[];
  readonly accepted: AcceptedEntry[];
  readonly totalSizeBytes: number;
}

/** What validation needs from the bus. */
export interface PutEventsEnvironment {
  readonly region: string;
  readonly accountId: string;
  readonly busExists: (name: string) => boolean;
  readonly now: Date;
  readonly newEventId: () => string;
  /** Whether the caller may put this entry (IAM): its failure, or undefined. @default every entry may be put */
  readonly authorizeEntry?: EntryAuthorizer;
}

/** What an entry is authorized on: its bus, source and detail type. */
export interface EntryToAuthorize {
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
}

/** Answers an entry the caller may not put with its failure (`AccessDeniedException`), else undefined. */
export type EntryAuthorizer = (entry: EntryToAuthorize) => EntryFailure | undefined;

/**
 * Validates a PutEvents request body (already parsed from JSON) and builds an envelope for
 * each valid entry.
 *
 * @throws PutEventsRequestError when the whole request is refused: no `Entries`, fewer
 *   than 1 or more than 10 entries, entries over 1 MB in total, or no entry with all of
 *   `Source`, `DetailType` and `Detail`
 * @example
 * ```ts
 * const { results, accepted } = validatePutEvents(body, {
 *   region: 'us-east-1', accountId: '111122223333', busExists: (n) => n === 'default',
 *   now: new Date(), newEventId: randomUUID,
 * });
 * ```
 */
export function validatePutEvents(request: unknown, env: PutEventsEnvironment): ValidatedPutEvents {
  const entries = isObject(request) ? request['Entries'] : undefined;
  if (!Array.isArray(entries)) {
    throw new PutEventsRequestError(
      'INVALID_REQUEST',
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (entries.length < MIN_ENTRIES || entries.length > MAX_ENTRIES) {
    const bound =
      entries.length < MIN_ENTRIES
        ? `Member must have length greater than or equal to ${MIN_ENTRIES}`
        : `Member must have length less than or equal to ${MAX_ENTRIES}`;
    throw new PutEventsRequestError(
      'INVALID_REQUEST',
      `1 validation error detected: Value '[${entries.length} entries]' at 'entries' failed to satisfy constraint: ${bound}`,
    );
  }
  const entryObjects = entries.map((entry: unknown) => (isObject(entry) ? entry : {}));
  const sizes = entryObjects.map(entrySizeBytes);
  const totalSizeBytes = sizes.reduce((sum, size) => sum + size, 0);
  if (totalSizeBytes > MAX_REQUEST_BYTES) {
    throw new PutEventsRequestError(
      'INVALID_REQUEST',
      `Total size of the entries in the request is over the limit (${totalSizeBytes} bytes; the limit is ${MAX_REQUEST_BYTES}).`,
    );
  }
  if (!entryObjects.some(hasRequiredFields)) {
    throw new PutEventsRequestError(
      'INVALID_REQUEST',
      'Parameters Source, DetailType and Detail are required: no entry in the request has all three.',
    );
  }

  const results: PutEventsResultEntryJson[] = [];
  const accepted: AcceptedEntry[] = [];
  entryObjects.forEach((entry, index) => {
    const checked = checkEntry(entry, env);
    if ('ErrorCode' in checked) {
      results.push(checked);
      return;
    }
    const id = env.newEventId();
    results.push({ EventId: id });
    accepted.push({
      index,
      busName: checked.busName,
      sizeBytes: sizes[index] ?? 0,
      envelope: {
        version: '0',
        id,
        'detail-type': checked.detailType,
        source: checked.source,
        account: env.accountId,
        time: toSecondPrecisionIso(checked.time),
        region: env.region,
        resources: checked.resources,
        detail: checked.detail,
      },
    });
  });
  return { results, accepted, totalSizeBytes };
}

/**
 * How many 64 KB chunks AWS bills for an entry of this size.
 *
 * @example
 * ```ts
 * billedChunks(100); // 1
 * billedChunks(65 * 1024); // 2
 * ```
 */
export function billedChunks(sizeBytes: number): number {
  return Math.max(1, Math.ceil(sizeBytes / BILLING_CHUNK_BYTES));
}

interface CheckedEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly busName: string;
  readonly resources: string[];
  readonly time: Date;
}

export type EntryFailure = { readonly ErrorCode: string; readonly ErrorMessage: string };

function checkEntry(entry: Record<string, unknown>, env: PutEventsEnvironment): CheckedEntry | EntryFailure {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    const value = entry[field];
    if (typeof value !== 'string' || value.length === 0) {
      return invalid(`Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
    }
  }
  const source = entry['Source'] as string;
  const detailType = entry['DetailType'] as string;
  const detailText = entry['Detail'] as string;

  if (source.startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  if (detailType.length > MAX_DETAIL_TYPE_LENGTH) {
    return invalid(
      `Parameter DetailType is not valid. Reason: DetailType is ${detailType.length} characters long; the limit is ${MAX_DETAIL_TYPE_LENGTH}.`,
    );
  }
  const detail = parseDetail(detailText);
  if (detail === undefined) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }

  const resources = entry['Resources'] ?? [];
  if (!Array.isArray(resources) || !resources.every((r): r is string => typeof r === 'string')) {
    return invalid('Parameter Resources is not valid. Reason: Resources must be a list of strings.');
  }

  const busName = busNameOf(entry['EventBusName'], env);
  if (busName === undefined || !env.busExists(busName)) {
    return invalid(`Event bus ${String(entry['EventBusName'])} does not exist.`);
  }
  const denied = env.authorizeEntry?.({ busName, source, detailType });
  if (denied !== undefined) return denied;

  return { source, detailType, detail, busName, resources, time: timeOf(entry['Time'], env.now) };
}

function invalid(message: string): EntryFailure {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: message };
}

function hasRequiredFields(entry: Record<string, unknown>): boolean {
  return ['Source', 'DetailType', 'Detail'].every((field) => {
    const value = entry[field];
    return typeof value === 'string' && value.length > 0;
  });
}

/** Size as AWS computes it: 14 bytes if `Time` is set, plus the UTF-8 bytes of the text fields. */
function entrySizeBytes(entry: Record<string, unknown>): number {
  let size = entry['Time'] !== undefined && entry['Time'] !== null ? TIME_BYTES : 0;
  for (const field of ['Source', 'DetailType', 'Detail']) {
    const value = entry[field];
    if (typeof value === 'string') size += Buffer.byteLength(value, 'utf8');
  }
  const resources = entry['Resources'];
  if (Array.isArray(resources)) {
    for (const resource of resources) {
      if (typeof resource === 'string') size += Buffer.byteLength(resource, 'utf8');
    }
  }
  return size;
}

/** The JSON object in `Detail`, or undefined when it isn't one (or is nested too deep). */
function parseDetail(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || depthExceeds(parsed, MAX_DETAIL_DEPTH)) {
    return undefined;
  }
  return parsed;
}

function depthExceeds(root: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (depth > limit) return true;
    const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * `EventBusName` is a name or an ARN (`arn:aws:events:region:account:event-bus/name`);
 * omitted means `default`. An ARN in another region or account names no local bus.
 */
function busNameOf(value: unknown, env: PutEventsEnvironment): string | undefined {
  if (value === undefined || value === null) return 'default';
  if (typeof value !== 'string' || value.length === 0) return undefined;
  if (!value.startsWith('arn:')) return value;
  const match = /^arn:aws[a-z-]*:events:([^:]*):([^:]*):event-bus\/(.+)$/.exec(value);
  if (match === null || match[1] !== env.region || match[2] !== env.accountId) return undefined;
  return match[3];
}

/** `Time` is epoch seconds on the JSON wire; an RFC 3339 string is accepted too; anything else means now. */
function timeOf(value: unknown, now: Date): Date {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string') {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return now;
}

/**
 * ISO-8601 UTC with second precision, as in event envelopes.
 *
 * @example
 * ```ts
 * toSecondPrecisionIso(new Date('2026-11-28T18:43:48.734Z')); // '2026-11-28T18:43:48Z'
 * ```
 */
export function toSecondPrecisionIso(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
