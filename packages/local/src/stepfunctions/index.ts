/**
 * The local Step Functions: `createLocalStepFunctions` runs state machine definitions with
 * aws-local-stepfunctions, Lambda tasks calling the local functions.
 */
export { createLocalStepFunctions, type LocalStepFunctions } from './local-step-functions';
export { TaskFailure } from './task-failure';
export { createTaskTokens, TOKEN_PLACEHOLDER, type TaskTokens } from './task-tokens';
export type {
  ExecutionDescription,
  ExecutionStatus,
  LambdaInvokeResult,
  LocalStateMachine,
  LocalStepFunctionsOptions,
  StartExecutionResult,
  StateMachineType,
  SyncExecutionResult,
} from './types';
