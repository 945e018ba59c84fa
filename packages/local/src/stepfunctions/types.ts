/**
 * The shapes the local Step Functions takes and gives.
 */

/** A state machine, as `AWS::StepFunctions::StateMachine` describes it. */
export interface LocalStateMachine {
  readonly arn: string;
  readonly name: string;
  /** The Amazon States Language definition, parsed from JSON. */
  readonly definition: Readonly<Record<string, unknown>>;
  /** @default 'STANDARD' */
  readonly type?: StateMachineType;
}

export type StateMachineType = 'STANDARD' | 'EXPRESS';

/**
 * The outcome of invoking a Lambda function synchronously: its return value, or the error
 * it reported (`FunctionError`), with the `errorType`/`errorMessage`/`trace` the runtime wrote.
 */
export type LambdaInvokeResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly errorType: string;
      readonly errorMessage: string;
      readonly trace?: readonly string[];
    };

/** Options of `createLocalStepFunctions`. */
export interface LocalStepFunctionsOptions {
  readonly region: string;
  readonly accountId: string;
  readonly stateMachines: readonly LocalStateMachine[];
  /**
   * Invokes a function synchronously (`RequestResponse`). `functionArn` is a full function
   * ARN, with `:qualifier` when the task named one. Resolve `{ ok: false, … }` for a
   * function error (the task fails with `errorType` as its error name). To report an
   * invocation failure under a Lambda service error name, resolve
   * `{ ok: false, errorType: 'Lambda.ResourceNotFoundException', … }`; a rejection fails the
   * task with `Lambda.ServiceException`.
   */
  readonly invokeLambda: (functionArn: string, payload: unknown) => Promise<LambdaInvokeResult>;
  /** @default writes warnings and errors to stderr, drops the rest */
  readonly log?: (line: string, fields?: Record<string, unknown>) => void;
  /**
   * Pause before every `Retry` attempt, in milliseconds, instead of `IntervalSeconds` ×
   * `BackoffRate`^n. Tests set it to 0.
   * @default the definition's own timing
   */
  readonly retryIntervalMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What `DescribeExecution` answers (dates as `Date`; the HTTP handler writes epoch seconds). */
export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  /** The execution input, as JSON text. */
  readonly input: string;
  readonly inputDetails: { readonly included: boolean };
  /** The execution output, as JSON text, once it succeeded. */
  readonly output?: string;
  readonly outputDetails?: { readonly included: boolean };
  readonly error?: string;
  readonly cause?: string;
}

/** What `StartExecution` answers. */
export interface StartExecutionResult {
  readonly executionArn: string;
  readonly startDate: Date;
}

/** What `StartSyncExecution` answers. */
export interface SyncExecutionResult extends Omit<ExecutionDescription, 'status' | 'stopDate'> {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly stopDate: Date;
  readonly billingDetails: { readonly billedMemoryUsedInMB: number; readonly billedDurationInMilliseconds: number };
}
