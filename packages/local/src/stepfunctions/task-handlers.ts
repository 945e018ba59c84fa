/**
 * Runs a state machine's Task states locally: `arn:aws:states:::lambda:invoke` (the
 * optimized integration) and plain function ARNs call `invokeLambda`;
 * `arn:aws:states:::lambda:invoke.waitForTaskToken` calls it with a task token in the payload
 * and waits for the token to be reported (see task-tokens.ts); any other resource fails the
 * task with `States.Runtime`.
 *
 * aws-local-stepfunctions takes one local handler per Task state *name* and gives it the
 * state's effective input (after `InputPath` and `Parameters`), so the handlers are built
 * from a walk over every Task state, nested `Parallel` branches and `Map` processors included.
 */
import { randomUUID } from 'node:crypto';
import { StepFunctionsError } from '../errors';
import { TaskFailure } from './task-failure';
import { TOKEN_PLACEHOLDER, type TaskTokens } from './task-tokens';
import type { LambdaInvokeResult } from './types';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/;

/** What a Task state's `Resource` asks for. */
export type TaskResource =
  | { readonly kind: 'lambda-invoke' }
  | { readonly kind: 'lambda-invoke-wait' }
  | { readonly kind: 'lambda-function'; readonly functionArn: string }
  | { readonly kind: 'unsupported'; readonly resource: string };

/** A Task state found in a definition. */
export interface TaskState {
  readonly name: string;
  /** Where it is, for messages: `States.A` or `States.P.Branches[0].States.B`. */
  readonly path: string;
  readonly resource: TaskResource;
  readonly definition: Readonly<Record<string, unknown>>;
}

/** A local handler per Task state name, as aws-local-stepfunctions takes them. */
export type TaskHandlers = Record<string, (input: unknown) => Promise<unknown>>;

/** What the handlers need from the runtime. */
export interface TaskHandlerContext {
  readonly region: string;
  readonly accountId: string;
  readonly invokeLambda: (functionArn: string, payload: unknown) => Promise<LambdaInvokeResult>;
  readonly warn: (line: string, fields: Record<string, unknown>) => void;
  /** Keeps fire-and-forget (`InvocationType: Event`) invocations visible to `idle()`. */
  readonly track: (work: Promise<unknown>) => void;
  /** The task tokens of `.waitForTaskToken` tasks. */
  readonly tokens: TaskTokens;
}

/**
 * Reads what a Task's `Resource` is.
 *
 * @example
 * ```ts
 * classifyResource('arn:aws:states:::lambda:invoke'); // { kind: 'lambda-invoke' }
 * classifyResource('arn:aws:states:::lambda:invoke.waitForTaskToken'); // { kind: 'lambda-invoke-wait' }
 * ```
 */
export function classifyResource(resource: unknown): TaskResource {
  if (resource === LAMBDA_INVOKE) return { kind: 'lambda-invoke' };
  if (resource === LAMBDA_INVOKE_WAIT) return { kind: 'lambda-invoke-wait' };
  if (typeof resource === 'string' && FUNCTION_ARN.test(resource)) {
    return { kind: 'lambda-function', functionArn: resource };
  }
  return { kind: 'unsupported', resource: String(resource) };
}

/**
 * Lists every Task state of a definition, nested ones included.
 *
 * @throws StepFunctionsError `InvalidDefinition` when two Task states share a name but not
 *   a resource (aws-local-stepfunctions overrides tasks by name only), or when a
 *   `lambda:invoke` task has no `FunctionName` parameter
 * @example
 * ```ts
 * collectTaskStates(definition, 'orders').map((task) => task.name); // ['Decide', 'Notify']
 * ```
 */
export function collectTaskStates(definition: Readonly<Record<string, unknown>>, machineName: string): TaskState[] {
  const found: TaskState[] = [];
  walk(definition, 'States', found);
  const byName = new Map<string, TaskState>();
  for (const task of found) {
    const other = byName.get(task.name);
    if (other !== undefined && JSON.stringify(other.resource) !== JSON.stringify(task.resource)) {
      throw new StepFunctionsError(
        'INVALID_DEFINITION',
        `State machine "${machineName}": Task states ${other.path} and ${task.path} share the name "${task.name}" but not the resource; the local runner tells tasks apart by name, so rename one.`,
      );
    }
    byName.set(task.name, task);
    if (task.resource.kind === 'lambda-invoke' || task.resource.kind === 'lambda-invoke-wait') {
      const parameters = asObject(task.definition['Parameters']);
      if (parameters === undefined || (!('FunctionName' in parameters) && !('FunctionName.$' in parameters))) {
        throw new StepFunctionsError(
          'INVALID_DEFINITION',
          `State machine "${machineName}": Task ${task.path} uses ${LAMBDA_INVOKE} without Parameters.FunctionName.`,
        );
      }
    }
  }
  return found;
}

function walk(container: Readonly<Record<string, unknown>>, path: string, found: TaskState[]): void {
  const states = asObject(container['States']) ?? {};
  for (const [name, value] of Object.entries(states)) {
    const state = asObject(value);
    if (state === undefined) continue;
    const statePath = `${path}.${name}`;
    switch (state['Type']) {
      case 'Task':
        found.push({ name, path: statePath, resource: classifyResource(state['Resource']), definition: state });
        break;
      case 'Parallel': {
        const branches = Array.isArray(state['Branches']) ? state['Branches'] : [];
        branches.forEach((branch: unknown, index) => {
          const branchObject = asObject(branch);
          if (branchObject !== undefined) walk(branchObject, `${statePath}.Branches[${index}].States`, found);
        });
        break;
      }
      case 'Map': {
        for (const key of ['ItemProcessor', 'Iterator']) {
          const processor = asObject(state[key]);
          if (processor !== undefined) walk(processor, `${statePath}.${key}.States`, found);
        }
        break;
      }
      default:
        break;
    }
  }
}

/**
 * Builds the local handlers of a state machine's Task states.
 *
 * @example
 * ```ts
 * const handlers = createTaskHandlers(collectTaskStates(definition, name), name, context);
 * stateMachine.run(input, { overrides: { taskResourceLocalHandlers: handlers } });
 * ```
 */
export function createTaskHandlers(
  tasks: readonly TaskState[],
  machineName: string,
  context: TaskHandlerContext,
): TaskHandlers {
  const handlers: TaskHandlers = {};
  for (const task of tasks) {
    if (handlers[task.name] !== undefined) continue;
    const resource = task.resource;
    switch (resource.kind) {
      case 'lambda-invoke': {
        const parameters = asObject(task.definition['Parameters']) ?? {};
        if (!('Payload' in parameters) && !('Payload.$' in parameters)) {
          context.warn(
            `State machine "${machineName}": Task ${task.path} calls lambda:invoke without Payload; what AWS sends then is unconfirmed, locally the function gets {}. Pass "Payload.$": "$".`,
            { stateMachine: machineName, state: task.name },
          );
        }
        handlers[task.name] = (input) => invokeOptimized(input, context);
        break;
      }
      case 'lambda-invoke-wait':
        handlers[task.name] = (input) => invokeAndWait(input, task.definition, context);
        break;
      case 'lambda-function':
        handlers[task.name] = (input) => invokeLegacy(resource.functionArn, input, context);
        break;
      case 'unsupported':
        context.warn(
          `State machine "${machineName}": Task ${task.path} uses resource ${resource.resource}, which the local runtime does not run; the task will fail with States.Runtime.`,
          { stateMachine: machineName, state: task.name },
        );
        handlers[task.name] = () =>
          Promise.reject(
            new TaskFailure(
              'States.Runtime',
              `The local Step Functions runtime does not support resource ${resource.resource}.`,
              {
                retryable: false,
                catchable: false,
              },
            ),
          );
        break;
      default: {
        const unhandled: never = resource;
        throw new Error(`Unhandled task resource ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return handlers;
}

/** `arn:aws:states:::lambda:invoke`: Lambda `Invoke` parameters in, Lambda `Invoke` response out. */
async function invokeOptimized(input: unknown, context: TaskHandlerContext): Promise<unknown> {
  const parameters = asObject(input) ?? {};
  const functionName = parameters['FunctionName'];
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw new TaskFailure('States.Runtime', 'lambda:invoke needs a FunctionName string parameter.', {
      retryable: false,
      catchable: false,
    });
  }
  const qualifier = typeof parameters['Qualifier'] === 'string' ? parameters['Qualifier'] : undefined;
  const functionArn = toFunctionArn(functionName, qualifier, context);
  const payload = 'Payload' in parameters ? parameters['Payload'] : {};
  const executedVersion = qualifier ?? '$LATEST';

  if (parameters['InvocationType'] === 'Event') {
    context.track(
      call(functionArn, payload, context).catch((error: unknown) =>
        context.warn(`Asynchronous invocation of ${functionArn} failed`, { error: describe(error) }),
      ),
    );
    return invokeResponse(202, '', executedVersion);
  }
  return invokeResponse(200, await call(functionArn, payload, context), executedVersion);
}

/**
 * `lambda:invoke.waitForTaskToken`: the function is invoked with a new task token where the
 * definition put `$$.Task.Token`; its own answer is ignored (a function error fails the task at
 * once), and the task's result is what SendTaskSuccess reports (SendTaskFailure fails it).
 */
async function invokeAndWait(
  input: unknown,
  definition: Readonly<Record<string, unknown>>,
  context: TaskHandlerContext,
): Promise<unknown> {
  const parameters = asObject(input) ?? {};
  const functionName = parameters['FunctionName'];
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw new TaskFailure('States.Runtime', 'lambda:invoke needs a FunctionName string parameter.', {
      retryable: false,
      catchable: false,
    });
  }
  const qualifier = typeof parameters['Qualifier'] === 'string' ? parameters['Qualifier'] : undefined;
  const { token, reported } = context.tokens.wait({
    timeoutSeconds: numberOf(definition['TimeoutSeconds']),
    heartbeatSeconds: numberOf(definition['HeartbeatSeconds']),
  });
  const payload = withToken('Payload' in parameters ? parameters['Payload'] : {}, token);
  if (!JSON.stringify(payload).includes(token)) {
    context.tokens.cancel(token);
    throw new TaskFailure('States.Runtime', 'a waitForTaskToken task must pass $$.Task.Token in its Payload.', {
      retryable: false,
      catchable: false,
    });
  }
  try {
    await call(toFunctionArn(functionName, qualifier, context), payload, context);
  } catch (error) {
    context.tokens.cancel(token);
    throw error;
  }
  return reported;
}

/** The payload with every {@link TOKEN_PLACEHOLDER} replaced by the task's own token. */
function withToken(value: unknown, token: string): unknown {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((each) => withToken(each, token));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, withToken(each, token)]));
  return value;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** A plain function ARN as `Resource`: the effective input is the payload, the return value is the result. */
function invokeLegacy(functionArn: string, input: unknown, context: TaskHandlerContext): Promise<unknown> {
  return call(functionArn, input, context);
}

/** Invokes and turns a function error into the task failure Step Functions reports. */
async function call(functionArn: string, payload: unknown, context: TaskHandlerContext): Promise<unknown> {
  let result: LambdaInvokeResult;
  try {
    result = await context.invokeLambda(functionArn, payload);
  } catch (error) {
    throw new TaskFailure('Lambda.ServiceException', `Could not invoke ${functionArn}: ${describe(error)}`, {
      retryable: true,
      catchable: true,
    });
  }
  if (result.ok) {
    return result.value === undefined ? null : result.value;
  }
  const cause = JSON.stringify({
    errorType: result.errorType,
    errorMessage: result.errorMessage,
    ...(result.trace !== undefined ? { trace: result.trace } : {}),
  });
  throw new TaskFailure(result.errorType, cause, { retryable: true, catchable: true });
}

/** The Lambda `Invoke` response as the optimized integration returns it. */
function invokeResponse(statusCode: number, payload: unknown, executedVersion: string): Record<string, unknown> {
  const requestId = randomUUID();
  const headers = {
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': executedVersion,
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: executedVersion,
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}

/**
 * `FunctionName` may be a name, `name:alias`, `account:function:name` or a full ARN; the
 * runtime is given a full ARN, with the qualifier when there is one.
 */
function toFunctionArn(functionName: string, qualifier: string | undefined, context: TaskHandlerContext): string {
  let arn: string;
  if (functionName.startsWith('arn:')) {
    arn = functionName;
  } else if (/^\d{12}:function:/.test(functionName)) {
    arn = `arn:aws:lambda:${context.region}:${functionName}`;
  } else {
    arn = `arn:aws:lambda:${context.region}:${context.accountId}:function:${functionName}`;
  }
  const hasQualifier = /:function:[^:]+:[^:]+$/.test(arn);
  return qualifier !== undefined && !hasQualifier ? `${arn}:${qualifier}` : arn;
}

function asObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
