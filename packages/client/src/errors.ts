/**
 * The client's errors: one family, {@link CoreClientError}, with a class per way a command can fail.
 * Check by `code` (`isCoreClientError(e) && e.code === 'CONFLICT'`), not `instanceof`, across packages.
 *
 * | class | when | codes |
 * |---|---|---|
 * | `RequestRefusedError` | the core answered a command (nothing was accepted) or a query with an error | the rule's or the input check's code (`STAY_TOO_LONG`, `INVALID_DATE`, `COMMAND_ID_REUSED`), `UNAUTHORIZED`, `INVALID_REQUEST`, `INTERNAL` |
 * | `CommandRejectedError` | accepted, then not stored (`settled` rejects) | `CONFLICT`, `TIMEOUT`, `COMMAND_ID_REUSED`, a rule's code the store decided (`EMAIL_ALREADY_REGISTERED`) |
 * | `TransportError` | the core could not be reached or gave no usable answer, after the retries | `NETWORK`, `HTTP_STATUS`, `THROTTLED`, `BAD_RESPONSE`, `OUTCOME_UNKNOWN` |
 * | `ClientUsageError` | the client was used wrongly, or is closed | `INVALID_OPTIONS`, `COMMAND_ID_IN_USE`, `CLOSED` |
 */

/** Codes the client itself gives; an aggregate's codes are any SCREAMING_SNAKE text. */
export type ClientErrorCode =
  /** Another command changed the aggregate first (notified by the store). */
  | 'CONFLICT'
  /** Not stored before its deadline: notified, or no outcome recorded by the deadline plus the grace. */
  | 'TIMEOUT'
  /** The command id was used for another command. */
  | 'COMMAND_ID_REUSED'
  /** The core refused the credentials or the caller may not use the field. */
  | 'UNAUTHORIZED'
  /** The request is not valid GraphQL for the schema (a client bug). */
  | 'INVALID_REQUEST'
  /** The core failed unexpectedly (its message carries a request id). */
  | 'INTERNAL'
  /** No answer: the connection failed or timed out. */
  | 'NETWORK'
  /** An HTTP status the client cannot use (5xx after the retries, or an unexpected 4xx). */
  | 'HTTP_STATUS'
  /** Throttled, after the retries. */
  | 'THROTTLED'
  /** An answer that is not the GraphQL response the client asked for. */
  | 'BAD_RESPONSE'
  /** The command was accepted, but neither a notification nor the outcome query could be had. */
  | 'OUTCOME_UNKNOWN'
  | 'INVALID_OPTIONS'
  /** A command with this id is still open in this client. */
  | 'COMMAND_ID_IN_USE'
  /** The client was closed before the command settled. */
  | 'CLOSED';

/** Every code a {@link CoreClientError} may carry: the client's own, or an aggregate's rule code. */
export type CoreClientErrorCode = ClientErrorCode | Uppercase<string>;

/** Which family an error belongs to. */
export type CoreClientErrorKind = 'REFUSED' | 'REJECTED' | 'TRANSPORT' | 'USAGE';

/** The base of every error the client throws or rejects with. */
export class CoreClientError extends Error {
  readonly code: CoreClientErrorCode;
  readonly kind: CoreClientErrorKind;

  constructor(kind: CoreClientErrorKind, code: CoreClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreClientError';
    this.kind = kind;
    this.code = code;
  }
}

/** A command's mutation (then nothing was accepted) or a query was answered with an error at once. */
export class RequestRefusedError extends CoreClientError {
  /** AppSync's `errorType` (`BusinessRuleViolation`, `ValidationError`, `Unauthorized`, ...), when it gave one. */
  readonly errorType: string | undefined;

  constructor(code: CoreClientErrorCode, message: string, errorType?: string) {
    super('REFUSED', code, message);
    this.name = 'RequestRefusedError';
    this.errorType = errorType;
  }
}

/** The command was accepted, then not stored: what its notification or its outcome said. */
export class CommandRejectedError extends CoreClientError {
  readonly commandId: string;
  /** The aggregate instance the command targeted. */
  readonly id: string;

  constructor(
    code: CoreClientErrorCode,
    message: string,
    command: { readonly id: string; readonly commandId: string },
  ) {
    super('REJECTED', code, message);
    this.name = 'CommandRejectedError';
    this.id = command.id;
    this.commandId = command.commandId;
  }
}

/** The core could not be reached, or answered nothing usable, after the retries. */
export class TransportError extends CoreClientError {
  /** The HTTP status, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: 'NETWORK' | 'HTTP_STATUS' | 'THROTTLED' | 'BAD_RESPONSE' | 'OUTCOME_UNKNOWN',
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super('TRANSPORT', code, message, options);
    this.name = 'TransportError';
    this.status = options?.status;
  }
}

/** The client was configured or used wrongly, or is closed. */
export class ClientUsageError extends CoreClientError {
  constructor(code: 'INVALID_OPTIONS' | 'COMMAND_ID_IN_USE' | 'CLOSED', message: string) {
    super('USAGE', code, message);
    this.name = 'ClientUsageError';
  }
}

/** True for every error of the client's family, whichever copy of this package made it. */
export function isCoreClientError(error: unknown): error is CoreClientError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    ['REFUSED', 'REJECTED', 'TRANSPORT', 'USAGE'].includes(String((error as { kind?: unknown }).kind))
  );
}

/** Text from a peer, cut to a short prefix: errors never echo large inputs back. */
export function shortText(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
