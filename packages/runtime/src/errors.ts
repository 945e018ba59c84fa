/**
 * Typed errors with stable codes. Every error a client can see carries a `code` (stable, SCREAMING_SNAKE)
 * and a `category`; {@link toGraphQLErrorType} is the one place that maps a category to the GraphQL
 * `errorType`. Across package boundaries check `isCoreError(e) && e.code === '...'`, not `instanceof`.
 */

/** What kind of failure an error is; decides the GraphQL `errorType` and whether a retry can help. */
export type ErrorCategory =
  | 'BusinessRuleViolation'
  | 'Forbidden'
  | 'ValidationError'
  | 'PayloadTooLarge'
  | 'Conflict'
  | 'Timeout'
  | 'Configuration'
  | 'Dependency'
  | 'Internal';

/** The codes the runtime itself raises. */
export type RuntimeErrorCode =
  /** `decide` returned no events for a command (a decider bug). */
  | 'NO_EVENTS'
  /** An event's detail is not a commit. */
  | 'MALFORMED_COMMIT'
  /** A commit does not fit in one DynamoDB item or one EventBridge entry. */
  | 'PAYLOAD_TOO_LARGE'
  /** Another commit took the stream version this commit expected. */
  | 'CONFLICT'
  /** The command's deadline passed before its events were stored. */
  | 'TIMEOUT'
  /** An environment variable is missing or malformed. */
  | 'CONFIGURATION'
  | DependencyErrorCode;

/** Why an AWS dependency failed. */
export type DependencyErrorCode =
  /** EventBridge refused entries, after the retries. */
  | 'PUBLISH_FAILED'
  /** AppSync could not be reached or refused the notification. */
  | 'NOTIFY_FAILED'
  /** Step Functions could not be reached or refused a saga step's report. */
  | 'REPORT_FAILED'
  /** A commit with no events reached the event store. */
  | 'EMPTY_COMMIT'
  /** An event store item lacks a field it must have. */
  | 'CORRUPT_ITEM';

/**
 * The codes an aggregate chooses for its business rules and input checks: stable SCREAMING_SNAKE
 * text that names the rule (`STAY_TOO_LONG`, `INVALID_DATE`).
 */
export type AggregateErrorCode = Uppercase<string>;

/** Every code a {@link CoreError} may carry. */
export type CoreErrorCode = RuntimeErrorCode | AggregateErrorCode;

/** The base of every error this project throws on purpose. */
export class CoreError extends Error {
  readonly code: CoreErrorCode;
  readonly category: ErrorCategory;

  constructor(category: ErrorCategory, code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.category = category;
    this.code = code;
  }
}

/** A command broke a business rule; `code` names the rule (`DATE_END_NOT_AFTER_START`). */
export class BusinessRuleViolationError extends CoreError {
  constructor(code: AggregateErrorCode, message: string) {
    super('BusinessRuleViolation', code, message);
    this.name = 'BusinessRuleViolationError';
  }
}

/**
 * The actor may not do this to this aggregate (only a reservation's own user may cancel it);
 * `code` names the rule (`NOT_RESERVATION_OWNER`). The decider throws it from the actor in its
 * context, which comes from the caller's identity.
 */
export class ForbiddenError extends CoreError {
  constructor(code: AggregateErrorCode, message: string) {
    super('Forbidden', code, message);
    this.name = 'ForbiddenError';
  }
}

/** The input is malformed (not a business decision): a bad date, a missing field, a too-long text. */
export class ValidationError extends CoreError {
  readonly field: string | undefined;
  constructor(code: CoreErrorCode, message: string, field?: string) {
    super('ValidationError', code, message);
    this.name = 'ValidationError';
    this.field = field;
  }
}

/** A commit would not fit in one DynamoDB item (400 KB) or one EventBridge entry (1 MB). */
export class PayloadTooLargeError extends CoreError {
  declare readonly code: 'PAYLOAD_TOO_LARGE';
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(what: string, sizeBytes: number, limitBytes: number) {
    super('PayloadTooLarge', 'PAYLOAD_TOO_LARGE', `${what} is ${sizeBytes} bytes; the limit is ${limitBytes} bytes`);
    this.name = 'PayloadTooLargeError';
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** Another commit took the stream version this commit expected. */
export class ConcurrencyError extends CoreError {
  declare readonly code: 'CONFLICT';
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly actualVersion: number | undefined;
  constructor(streamId: string, expectedVersion: number, actualVersion?: number) {
    super(
      'Conflict',
      'CONFLICT',
      `stream ${streamId} is no longer at version ${expectedVersion}` +
        (actualVersion === undefined ? '' : ` (it is at ${actualVersion})`),
    );
    this.name = 'ConcurrencyError';
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** An event arrived after its command's deadline and was not stored. */
export class DeadlineExceededError extends CoreError {
  declare readonly code: 'TIMEOUT';
  constructor(deadline: string, now: string) {
    super('Timeout', 'TIMEOUT', `the command's deadline ${deadline} passed before its events were stored (now ${now})`);
    this.name = 'DeadlineExceededError';
  }
}

/** A required environment variable is missing or malformed. Raised once per cold start. */
export class ConfigurationError extends CoreError {
  declare readonly code: 'CONFIGURATION';
  constructor(message: string) {
    super('Configuration', 'CONFIGURATION', message);
    this.name = 'ConfigurationError';
  }
}

/** An AWS dependency (EventBridge, AppSync, DynamoDB) failed in a way a retry may fix. */
export class DependencyError extends CoreError {
  declare readonly code: DependencyErrorCode;
  constructor(code: DependencyErrorCode, message: string, options?: { cause?: unknown }) {
    super('Dependency', code, message, options);
    this.name = 'DependencyError';
  }
}

/** True for any error of this project, even one thrown by another copy of this package. */
export function isCoreError(error: unknown): error is CoreError {
  return (
    error instanceof Error &&
    typeof (error as Partial<CoreError>).code === 'string' &&
    typeof (error as Partial<CoreError>).category === 'string'
  );
}

/**
 * The GraphQL `errorType` for an error. AppSync shows a direct Lambda resolver's thrown `error.name`
 * as `errorType`, so command and query handlers rethrow a {@link GraphQLFacingError} with this name.
 *
 * @example
 * toGraphQLErrorType(new BusinessRuleViolationError('TOO_MANY_NIGHTS', '...')); // 'BusinessRuleViolation'
 */
export function toGraphQLErrorType(error: unknown): string {
  if (!isCoreError(error)) return 'InternalError';
  switch (error.category) {
    case 'BusinessRuleViolation':
      return 'BusinessRuleViolation';
    case 'Forbidden':
      return 'Forbidden';
    case 'ValidationError':
      return 'ValidationError';
    case 'PayloadTooLarge':
      return 'PayloadTooLarge';
    case 'Conflict':
      return 'Conflict';
    case 'Timeout':
      return 'Timeout';
    case 'Configuration':
    case 'Dependency':
    case 'Internal':
      return 'InternalError';
    default: {
      const unhandled: never = error.category;
      return unhandled;
    }
  }
}

/** What a resolver throws so that AppSync answers `{ errorType: name, message }` and nothing else. */
export class GraphQLFacingError extends Error {
  constructor(errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/**
 * Turns any error into the one a client may see: domain errors keep their code in the message
 * (`TOO_MANY_NIGHTS: ...`); anything unexpected becomes a generic `InternalError` with no stack
 * or internals (the caller logs the original).
 */
export function toGraphQLFacingError(error: unknown, requestId: string): GraphQLFacingError {
  const errorType = toGraphQLErrorType(error);
  if (errorType === 'InternalError' || !isCoreError(error)) {
    return new GraphQLFacingError('InternalError', `internal error (request ${requestId})`);
  }
  return new GraphQLFacingError(errorType, `${error.code}: ${error.message}`);
}
