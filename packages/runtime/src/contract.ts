/**
 * What the handlers promise to the tools that read them: the fields of a handler's JSON log line,
 * its `step` names and `outcome` values, and where a correlation id and a command id travel in the
 * payloads between the functions (a commit on the bus, a notification mutation). The handlers write
 * their log lines through {@link formatHandlerLogLine}; readers (the local core's journey view,
 * CloudWatch Logs Insights queries) parse them with {@link parseHandlerLogLine} and read payloads with
 * {@link correlationIdOfCommit} and {@link notificationOf}. Renaming a field here breaks both sides
 * at compile time, not in production.
 *
 * @example
 * const line = parseHandlerLogLine('{"level":"INFO","message":"command accepted","step":"command",...}');
 * if (line?.step === 'command' && line.outcome === 'refused') console.log(line.reason);
 */
import type { Commit } from './envelope';
import type { RejectionCode, RuntimeRejectionCode } from './ports';

/** The steps a command's journey goes through in the handlers, one log line each. */
export const HANDLER_STEPS = ['command', 'store', 'notify', 'report', 'query', 'dead-letter'] as const;
export type HandlerStep = (typeof HANDLER_STEPS)[number];

/** What the command handler did with a command (`step: 'command'`). */
export const COMMAND_OUTCOMES = ['accepted', 'replayed', 'refused'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/**
 * What the event handler did with a commit or a renotify request (`step: 'store'`): stored, the
 * reason it was not (a runtime rejection code, lower case; `unique_taken` for a unique key another
 * stream holds), or `unknown` for a renotify request of a command
 * that has no record yet.
 */
export const STORE_OUTCOMES = [
  'stored',
  'conflict',
  'timeout',
  'command_id_reused',
  'unique_taken',
  'unknown',
] as const;
export type StoreOutcome = (typeof STORE_OUTCOMES)[number];

export type HandlerOutcome = CommandOutcome | StoreOutcome;

/** The terminal status a notification carries (`step: 'notify'`, and the mutation's `input.status`). */
export const NOTIFICATION_STATUSES = ['STORED', 'REJECTED'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** The fields of a handler log line that readers rely on; every one is optional on a given line. */
export interface HandlerLogFields {
  readonly step?: HandlerStep;
  /** Shared by everything one front-end request caused. */
  readonly correlationId?: string;
  /** The command id (the commit id on the event handler's lines). */
  readonly commandId?: string;
  /** The GraphQL field the handler served. */
  readonly field?: string;
  readonly streamId?: string;
  /** The stream's version after the commit. */
  readonly version?: number;
  readonly outcome?: HandlerOutcome;
  readonly status?: NotificationStatus;
  /**
   * For a refused command: the GraphQL errorType and the error code the client got (`STAY_TOO_LONG`);
   * the whole message, which may quote the input or the state, is logged at debug level only.
   */
  readonly errorType?: string;
  readonly reason?: string;
  readonly durationMs?: number;
}

/** Anything else a handler adds to a line (event types, error details), read by no tool. */
export type LogFields = HandlerLogFields & Record<string, unknown>;

/** One handler log line as it is printed. */
export interface HandlerLogLine extends HandlerLogFields {
  readonly level: 'DEBUG' | 'INFO' | 'ERROR';
  readonly message: string;
}

/** The text of one log line: a JSON object with the level and message first. */
export function formatHandlerLogLine(level: HandlerLogLine['level'], message: string, fields: LogFields): string {
  return JSON.stringify({ level, message, ...fields });
}

/**
 * Reads a handler log line from what a function printed (the JSON may follow a prefix such as the
 * Lambda runtime's timestamp and request id). Undefined when the text holds no JSON object or a field
 * of the contract has another type than the contract says; unknown fields are kept.
 */
export function parseHandlerLogLine(text: string): (HandlerLogLine & Record<string, unknown>) | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const line = value as Record<string, unknown>;
  const ok =
    (line['level'] === 'DEBUG' || line['level'] === 'INFO' || line['level'] === 'ERROR') &&
    typeof line['message'] === 'string' &&
    oneOf(line['step'], HANDLER_STEPS) &&
    oneOf(line['outcome'], [...COMMAND_OUTCOMES, ...STORE_OUTCOMES]) &&
    oneOf(line['status'], NOTIFICATION_STATUSES) &&
    ['correlationId', 'commandId', 'field', 'streamId', 'errorType', 'reason'].every((key) =>
      optional(line[key], 'string'),
    ) &&
    optional(line['version'], 'number') &&
    optional(line['durationMs'], 'number');
  return ok ? (line as HandlerLogLine & Record<string, unknown>) : undefined;
}

/** The `outcome` of the event handler's `store` line for a command's final outcome (undefined: none yet). */
export function storeOutcomeOf(
  outcome:
    | { readonly status: 'STORED' }
    | { readonly status: 'REJECTED'; readonly error: { readonly code: RejectionCode } }
    | undefined,
): StoreOutcome {
  if (outcome === undefined) return 'unknown';
  if (outcome.status === 'STORED') return 'stored';
  const byCode: Record<RuntimeRejectionCode, StoreOutcome> = {
    CONFLICT: 'conflict',
    TIMEOUT: 'timeout',
    COMMAND_ID_REUSED: 'command_id_reused',
  };
  return byCode[outcome.error.code as RuntimeRejectionCode] ?? 'unique_taken';
}

/** The commit field that carries the correlation id across the bus (an entry's `Detail` is the commit). */
const CORRELATION_ID_KEY = 'correlationId' satisfies keyof Commit;

/**
 * The correlation id of a commit, given an EventBridge entry's detail: the parsed object, or its
 * JSON text as a PutEvents request carries it. Undefined when there is none.
 */
export function correlationIdOfCommit(detail: unknown): string | undefined {
  let value = detail;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const id =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[CORRELATION_ID_KEY] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The variables every aggregate's notification mutation takes: the command it answers and its
 * terminal status, under `input` (with the aggregate's own fields beside them).
 */
export interface NotificationVariables {
  readonly input: NotificationInput;
}

/** A notification's `input`: the fields every aggregate's has, beside its own. */
export interface NotificationInput {
  readonly commandId: string;
  readonly status: NotificationStatus;
  readonly [field: string]: unknown;
}

/** The command id and status of a notification mutation, given its GraphQL request's `variables`. */
export function notificationOf(variables: unknown): Pick<NotificationInput, 'commandId' | 'status'> | undefined {
  const input = (variables as { input?: { commandId?: unknown; status?: unknown } } | null | undefined)?.input;
  if (typeof input?.commandId !== 'string' || !oneOf(input.status, NOTIFICATION_STATUSES) || input.status === undefined)
    return undefined;
  return { commandId: input.commandId, status: input.status };
}

/** True when `value` is absent or one of `allowed`. */
function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T | undefined {
  return value === undefined || (typeof value === 'string' && (allowed as readonly string[]).includes(value));
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}
