/**
 * Errors of the local DynamoDB: each carries a stable `code`; check the code, not `instanceof`.
 */

/** Why the local DynamoDB could not start or do what was asked. */
export type LocalDynamoDbErrorCode =
  /** The server could not listen (port in use) or did not answer its first request. */
  | 'START_FAILED'
  /** Another live process (or this one) already serves the data directory. */
  | 'DATA_DIR_LOCKED'
  /** `AWS::DynamoDB::Table` properties that cannot become a CreateTable request. */
  | 'INVALID_TABLE_PROPERTIES'
  /** A table that already exists has another key schema than the template asks for. */
  | 'TABLE_SCHEMA_MISMATCH'
  /** A table did not become ACTIVE in time. */
  | 'TABLE_NOT_ACTIVE'
  /** DynamoDB answered a request with an error (see `awsErrorType`). */
  | 'REQUEST_FAILED';

/** The local DynamoDB failed; `code` says how. */
export class LocalDynamoDbError extends Error {
  override readonly name = 'LocalDynamoDbError';
  readonly code: LocalDynamoDbErrorCode;
  /** For `REQUEST_FAILED`: the DynamoDB error type, such as `ResourceNotFoundException`. */
  readonly awsErrorType: string | undefined;

  constructor(
    message: string,
    details: { readonly code: LocalDynamoDbErrorCode; readonly awsErrorType?: string; readonly cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.awsErrorType = details.awsErrorType;
  }
}

/**
 * True when `error` is a DynamoDB error answer of the given type (`ResourceNotFoundException`, …).
 *
 * @example
 * if (hasAwsErrorType(error, 'ResourceNotFoundException')) return undefined;
 */
export function hasAwsErrorType(error: unknown, awsErrorType: string): boolean {
  return typeof error === 'object' && error !== null && 'awsErrorType' in error && error.awsErrorType === awsErrorType;
}
