/**
 * Running Lambda functions locally: each execution environment is a worker thread with its own
 * environment variables, with Lambda's timeouts, cold starts, concurrency and async retries.
 */
export { createLocalFunction, EVENT_AGE_EXCEEDED } from './local-function';
export type {
  AsyncInvocationFailure,
  AsyncInvocationJournal,
  AsyncInvocationSuccess,
  QueuedInvocation,
  InvokeResult,
  LocalFunction,
  LocalFunctionMetrics,
  LocalFunctionOptions,
} from './local-function';
export { RESERVED_ENVIRONMENT_VARIABLES } from './environment';
export type { FunctionError } from './protocol';
