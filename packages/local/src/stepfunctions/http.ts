/**
 * Step Functions on the AWS JSON 1.0 wire: `POST` with `X-Amz-Target: AWSStepFunctions.<Op>`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  awsJsonOperation,
  parseAwsJsonBody,
  refuseNonPost,
  sendAwsJson,
  sendAwsJsonError,
} from '../eventbridge/aws-json';
import { StepFunctionsError } from '../errors';
import type { TaskTokens } from './task-tokens';
import type { ExecutionDescription, StartExecutionResult, SyncExecutionResult } from './types';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions';

/** The operations the handler serves. */
export interface StepFunctionsOperations {
  startExecution(stateMachineArn: string, input?: unknown, name?: string): StartExecutionResult;
  startSyncExecution(stateMachineArn: string, input?: unknown, name?: string): Promise<SyncExecutionResult>;
  describeExecution(executionArn: string): ExecutionDescription;
  readonly tasks: Pick<TaskTokens, 'sendTaskSuccess' | 'sendTaskFailure' | 'sendTaskHeartbeat'>;
  log(level: 'error', line: string, fields?: Record<string, unknown>): void;
}

/**
 * Builds the HTTP handler over the operations.
 *
 * @example
 * ```ts
 * const handleHttp = createStepFunctionsHttpHandler({ startExecution, startSyncExecution, describeExecution, log });
 * if (!(await handleHttp(req, res, body))) routeElsewhere(req, res, body);
 * ```
 */
export function createStepFunctionsHttpHandler(
  operations: StepFunctionsOperations,
): (req: IncomingMessage, res: ServerResponse, body: string | Buffer) => Promise<boolean> {
  return async (req, res, body) => {
    const operation = awsJsonOperation(req, TARGET_PREFIX);
    if (operation === undefined) {
      return false;
    }
    if (refuseNonPost(req, res, CONTENT_TYPE)) {
      return true;
    }
    const parsed = parseAwsJsonBody(body);
    if (!parsed.ok) {
      sendAwsJsonError(res, CONTENT_TYPE, 400, 'SerializationException', parsed.message);
      return true;
    }
    const request =
      typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : {};
    try {
      switch (operation) {
        case 'StartExecution': {
          const start = startArguments(request);
          sendAwsJson(
            res,
            CONTENT_TYPE,
            200,
            operations.startExecution(start.stateMachineArn, start.input, start.name),
          );
          break;
        }
        case 'StartSyncExecution': {
          const start = startArguments(request);
          sendAwsJson(
            res,
            CONTENT_TYPE,
            200,
            await operations.startSyncExecution(start.stateMachineArn, start.input, start.name),
          );
          break;
        }
        case 'DescribeExecution':
          sendAwsJson(res, CONTENT_TYPE, 200, operations.describeExecution(requiredString(request, 'executionArn')));
          break;
        case 'SendTaskSuccess':
          operations.tasks.sendTaskSuccess(request['taskToken'], request['output']);
          sendAwsJson(res, CONTENT_TYPE, 200, {});
          break;
        case 'SendTaskFailure':
          operations.tasks.sendTaskFailure(request['taskToken'], request['error'], request['cause']);
          sendAwsJson(res, CONTENT_TYPE, 200, {});
          break;
        case 'SendTaskHeartbeat':
          operations.tasks.sendTaskHeartbeat(request['taskToken']);
          sendAwsJson(res, CONTENT_TYPE, 200, {});
          break;
        default:
          sendAwsJsonError(
            res,
            CONTENT_TYPE,
            400,
            'UnknownOperationException',
            `The local Step Functions does not support ${operation}; it supports StartExecution, StartSyncExecution, DescribeExecution, SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat.`,
          );
      }
    } catch (error) {
      if (error instanceof StepFunctionsError) {
        sendAwsJsonError(res, CONTENT_TYPE, 400, error.awsErrorType, error.message);
      } else {
        operations.log('error', `${operation} failed`, { error: error instanceof Error ? error.stack : String(error) });
        sendAwsJsonError(res, CONTENT_TYPE, 500, 'InternalFailure', 'Internal failure of the local Step Functions.');
      }
    }
    return true;
  };
}

/** `stateMachineArn`, `input` (JSON text, parsed here) and `name` of a start request. */
function startArguments(request: Record<string, unknown>): { stateMachineArn: string; input: unknown; name?: string } {
  const stateMachineArn = requiredString(request, 'stateMachineArn');
  const inputText = request['input'];
  let input: unknown = {};
  if (inputText !== undefined && inputText !== null) {
    if (typeof inputText !== 'string') {
      throw new StepFunctionsError(
        'INVALID_EXECUTION_INPUT',
        'Invalid State Machine Execution Input: input must be JSON text.',
      );
    }
    try {
      input = JSON.parse(inputText) as unknown;
    } catch (error) {
      throw new StepFunctionsError(
        'INVALID_EXECUTION_INPUT',
        `Invalid State Machine Execution Input: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const name = request['name'];
  if (name !== undefined && typeof name !== 'string') {
    throw new StepFunctionsError('INVALID_NAME', 'Invalid Name: name must be a string.');
  }
  return name === undefined ? { stateMachineArn, input } : { stateMachineArn, input, name };
}

function requiredString(request: Record<string, unknown>, field: string): string {
  const value = request[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new StepFunctionsError(
      'INVALID_REQUEST',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}
