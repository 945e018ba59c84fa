/**
 * Errors of the local Lambda runner. They are about misuse of the runner itself; a function's own
 * failures are answered as `{ ok: false, errorType, errorMessage }` results, as Lambda does.
 * Each error carries a stable `code`; check the code, not `instanceof`.
 */

/** Why the runner refused. */
export type LambdaRunnerErrorCode =
  /** An option is missing or out of range (the message names it). */
  | 'INVALID_CONFIG'
  /** The runtime is not a Node.js runtime (`nodejs<N>.x`). */
  | 'UNSUPPORTED_RUNTIME'
  /** The function's environment sets a variable that Lambda reserves (Lambda refuses such a function). */
  | 'RESERVED_ENVIRONMENT_VARIABLE'
  /** The event cannot be serialized as JSON (Lambda only takes JSON payloads). */
  | 'INVALID_EVENT'
  /** The function was closed. */
  | 'FUNCTION_CLOSED';

/** The local Lambda runner refused a call; `code` says why. */
export class LambdaRunnerError extends Error {
  override readonly name = 'LambdaRunnerError';
  readonly code: LambdaRunnerErrorCode;

  constructor(message: string, details: { readonly code: LambdaRunnerErrorCode; readonly cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
  }
}
