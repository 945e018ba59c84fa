/**
 * Errors raised by the local Step Functions.
 *
 * Callers check the `code`, not `instanceof`. The codes are the AWS error types the JSON
 * protocol returns as `__type`, so SDK clients see the exception they would see on AWS.
 */

/** Stable codes; each is also the AWS exception name. */
export type StepFunctionsErrorCode =
  | 'InvalidDefinition'
  | 'InvalidArn'
  | 'InvalidName'
  | 'InvalidExecutionInput'
  | 'StateMachineDoesNotExist'
  | 'StateMachineTypeNotSupported'
  | 'ExecutionDoesNotExist'
  | 'ExecutionAlreadyExists'
  | 'ValidationException';

/**
 * Thrown by `createLocalStepFunctions` (for a definition it can't run) and by its
 * operations (for a request AWS would refuse).
 *
 * @example
 * ```ts
 * try {
 *   sfn.describeExecution(arn);
 * } catch (error) {
 *   if ((error as { code?: string }).code === 'ExecutionDoesNotExist') return undefined;
 *   throw error;
 * }
 * ```
 */
export class StepFunctionsError extends Error {
  public readonly code: StepFunctionsErrorCode;

  public constructor(code: StepFunctionsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StepFunctionsError';
    this.code = code;
  }
}

/**
 * A Task state's failure as the state machine sees it: `name` is the ASL error name that
 * `Retry` and `Catch` match (`ErrorEquals`), `message` becomes the `Cause`.
 * aws-local-stepfunctions reads `name`, `message`, `isRetryable` and `isCatchable`.
 */
export class TaskFailure extends Error {
  public readonly isRetryable: boolean;
  public readonly isCatchable: boolean;

  public constructor(errorName: string, cause: string, handling: { retryable: boolean; catchable: boolean }) {
    super(cause);
    this.name = errorName;
    this.isRetryable = handling.retryable;
    this.isCatchable = handling.catchable;
  }
}
