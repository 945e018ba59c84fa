/**
 * The failure a Task state reports to its state machine. It is not an error of the local core but a
 * value of the Amazon States Language: its `name` is the ASL error name (`Lambda.ServiceException`,
 * a function's own error type) that `Retry` and `Catch` match.
 */
/** aws-local-stepfunctions reads `name`, `message` (the `Cause`), `isRetryable` and `isCatchable`. */
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
