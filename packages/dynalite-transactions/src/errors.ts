/** The front's own failures: what a caller of this package did wrong, with a code that says what to fix. */

export type DynaliteTransactionsErrorCode = 'UPSTREAM_UNREACHABLE' | 'UPSTREAM_ANSWER_NOT_JSON';

export class DynaliteTransactionsError extends Error {
  readonly code: DynaliteTransactionsErrorCode;

  constructor(code: DynaliteTransactionsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DynaliteTransactionsError';
    this.code = code;
  }
}

/** A DynamoDB error answer on the wire (awsJson1_0): HTTP status and the JSON body with `__type`. */
export interface DynamoDbErrorAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** DynamoDB's `ValidationException`, as dynalite and AWS send it. */
export function validationError(message: string): DynamoDbErrorAnswer {
  return { status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message } };
}
