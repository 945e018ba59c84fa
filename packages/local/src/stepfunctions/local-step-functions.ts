/**
 * The local Step Functions: state machines from a template run with aws-local-stepfunctions,
 * Task states calling the local Lambda functions, executions kept in memory for
 * `DescribeExecution`.
 */
import './promise-with-resolvers';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StepFunctionsError } from '../errors';
import { createStepFunctionsHttpHandler } from './http';
import { collectTaskStates, createTaskHandlers, type TaskHandlers } from './task-handlers';
import { createTaskTokens, TOKEN_PLACEHOLDER, type TaskTokens } from './task-tokens';
import type {
  ExecutionDescription,
  ExecutionStatus,
  LocalStateMachine,
  LocalStepFunctionsOptions,
  StartExecutionResult,
  StateMachineType,
  SyncExecutionResult,
} from './types';

type JsonInput = Parameters<StateMachine['run']>[0];
type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** Characters AWS refuses in execution names (whitespace, brackets, wildcards, specials, controls). */
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const MAX_NAME_LENGTH = 80;

/** A running local Step Functions (all state machines of one account and region). */
export interface LocalStepFunctions {
  /**
   * StartExecution: starts an execution and returns at once.
   *
   * @param input - the execution input as a JSON value (not JSON text). @default {}
   * @param name - the execution name. @default a UUID
   * @throws StepFunctionsError `STATE_MACHINE_DOES_NOT_EXIST`, `INVALID_NAME`, `EXECUTION_ALREADY_EXISTS`
   */
  startExecution(stateMachineArn: string, input?: unknown, name?: string): StartExecutionResult;
  /**
   * StartSyncExecution: runs an execution of an EXPRESS state machine to its end.
   *
   * @throws StepFunctionsError `STATE_MACHINE_TYPE_NOT_SUPPORTED` for a STANDARD state machine
   */
  startSyncExecution(stateMachineArn: string, input?: unknown, name?: string): Promise<SyncExecutionResult>;
  /**
   * DescribeExecution of a STANDARD state machine's execution.
   *
   * @throws StepFunctionsError `EXECUTION_DOES_NOT_EXIST`, `INVALID_ARN`
   */
  describeExecution(executionArn: string): ExecutionDescription;
  /** SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat for `.waitForTaskToken` tasks. */
  readonly tasks: Pick<TaskTokens, 'sendTaskSuccess' | 'sendTaskFailure' | 'sendTaskHeartbeat' | 'stateMachineOf'>;
  /**
   * Answers an AWS JSON 1.0 request (`X-Amz-Target: AWSStepFunctions.<Op>`: StartExecution,
   * StartSyncExecution, DescribeExecution, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat). Resolves `false`, writing nothing, when the
   * request is not for Step Functions. `body` is the whole request body.
   */
  handleHttp(req: IncomingMessage, res: ServerResponse, body: string | Buffer): Promise<boolean>;
  /** Resolves when no execution is running (executions started meanwhile included). */
  idle(): Promise<void>;
  /** Aborts running executions (status `ABORTED`) and waits for them to stop. */
  close(): Promise<void>;
}

interface Machine {
  readonly config: LocalStateMachine;
  readonly type: StateMachineType;
  readonly runner: StateMachine;
  readonly handlers: TaskHandlers;
  readonly retryOverrides: Record<string, number> | undefined;
}

/** How an execution ended. */
interface ExecutionOutcome {
  readonly status: ExecutionStatus;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

interface ExecutionRecord {
  readonly executionArn: string;
  readonly machine: Machine;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  abort: () => void;
  readonly done: Promise<void>;
}

/**
 * Builds the local Step Functions from the state machines the boot read from a template.
 * Every definition is validated (ASL) and its Task states are bound to `invokeLambda`
 * before this returns.
 *
 * @throws StepFunctionsError `INVALID_DEFINITION`, naming the state machine
 * @example
 * ```ts
 * const sfn = createLocalStepFunctions({
 *   region: 'us-east-1', accountId: '111122223333',
 *   stateMachines: [{ arn: sagaArn, name: 'ReservationSaga', definition: JSON.parse(definitionString) }],
 *   invokeLambda: (arn, payload) => lambdas.invoke(arn, payload),
 * });
 * const { executionArn } = sfn.startExecution(sagaArn, { reservationId: 'r-1' });
 * await sfn.idle();
 * sfn.describeExecution(executionArn).status; // 'SUCCEEDED'
 * ```
 */
export function createLocalStepFunctions(options: LocalStepFunctionsOptions): LocalStepFunctions {
  const now = options.now ?? (() => new Date());
  const logLine = options.log ?? defaultLog;
  const log = (level: 'debug' | 'info' | 'warn' | 'error', line: string, fields: Record<string, unknown> = {}): void =>
    logLine(`[stepfunctions] ${line}`, { level, ...fields });

  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>): void => {
    const tracked = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const tokens = createTaskTokens();
  const machines = new Map<string, Machine>();
  for (const config of options.stateMachines) {
    if (machines.has(config.arn)) {
      throw new StepFunctionsError('INVALID_DEFINITION', `State machine ${config.arn} is defined twice.`);
    }
    machines.set(config.arn, buildMachine(config, options, { log, track, tokens }));
  }
  const executions = new Map<string, ExecutionRecord>();

  const machineFor = (stateMachineArn: string): Machine => {
    const machine = machines.get(stateMachineArn);
    if (machine === undefined) {
      throw new StepFunctionsError(
        'STATE_MACHINE_DOES_NOT_EXIST',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    return machine;
  };

  const runs: RunContext = { region: options.region, accountId: options.accountId, now, executions, log, track };
  const run = (machine: Machine, input: unknown, name: string | undefined): ExecutionRecord =>
    startRun(runs, machine, input, name);

  const startExecution = (stateMachineArn: string, input?: unknown, name?: string): StartExecutionResult => {
    const record = run(machineFor(stateMachineArn), input, name);
    return { executionArn: record.executionArn, startDate: record.startDate };
  };

  const startSyncExecution = async (
    stateMachineArn: string,
    input?: unknown,
    name?: string,
  ): Promise<SyncExecutionResult> => {
    const machine = machineFor(stateMachineArn);
    if (machine.type !== 'EXPRESS') {
      throw new StepFunctionsError(
        'STATE_MACHINE_TYPE_NOT_SUPPORTED',
        `This operation is only supported by EXPRESS state machines; ${stateMachineArn} is STANDARD.`,
      );
    }
    const record = run(machine, input, name);
    await record.done;
    return syncResultOf(record, now);
  };

  const describeExecution = (executionArn: string): ExecutionDescription => {
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:(execution|express):/.test(executionArn)) {
      throw new StepFunctionsError('INVALID_ARN', `Invalid Arn: '${executionArn}'`);
    }
    const record = executions.get(executionArn);
    if (record === undefined) {
      throw new StepFunctionsError('EXECUTION_DOES_NOT_EXIST', `Execution Does Not Exist: '${executionArn}'`);
    }
    if (record.machine.type === 'EXPRESS') {
      throw new StepFunctionsError(
        'INVALID_ARN',
        `DescribeExecution does not support executions of EXPRESS state machines: '${executionArn}'`,
      );
    }
    return describe(record);
  };

  const idle = async (): Promise<void> => {
    while (inFlight.size > 0) {
      await Promise.allSettled([...inFlight]);
    }
  };

  const close = async (): Promise<void> => {
    for (const record of executions.values()) {
      if (record.status === 'RUNNING') record.abort();
    }
    tokens.close();
    await idle();
  };

  const tasks = {
    sendTaskSuccess: tokens.sendTaskSuccess,
    sendTaskFailure: tokens.sendTaskFailure,
    sendTaskHeartbeat: tokens.sendTaskHeartbeat,
    stateMachineOf: tokens.stateMachineOf,
  };
  const handleHttp = createStepFunctionsHttpHandler({
    startExecution,
    startSyncExecution,
    describeExecution,
    tasks,
    log,
  });

  return { startExecution, startSyncExecution, describeExecution, tasks, handleHttp, idle, close };
}

/** What starting an execution needs from the service. */
interface RunContext {
  readonly region: string;
  readonly accountId: string;
  readonly now: () => Date;
  readonly executions: Map<string, ExecutionRecord>;
  readonly log: (level: 'info' | 'warn', line: string, fields: Record<string, unknown>) => void;
  readonly track: (work: Promise<unknown>) => void;
}

/** Starts an execution (or answers the running one with the same name and input, as StartExecution does). */
function startRun(context: RunContext, machine: Machine, input: unknown, name: string | undefined): ExecutionRecord {
  const executionName = name ?? randomUUID();
  checkName(executionName);
  const inputText = JSON.stringify(input === undefined ? {} : input);
  const executionArn =
    machine.type === 'EXPRESS'
      ? `arn:aws:states:${context.region}:${context.accountId}:express:${machine.config.name}:${executionName}:${randomUUID()}`
      : `arn:aws:states:${context.region}:${context.accountId}:execution:${machine.config.name}:${executionName}`;

  const existing = context.executions.get(executionArn);
  if (existing !== undefined) {
    if (existing.status === 'RUNNING' && existing.input === inputText) {
      return existing; // StartExecution is idempotent for a running execution with the same input.
    }
    throw new StepFunctionsError('EXECUTION_ALREADY_EXISTS', `Execution Already Exists: '${executionArn}'`);
  }

  const startDate = context.now();
  const execution = machine.runner.run(JSON.parse(inputText) as JsonInput, {
    overrides: {
      taskResourceLocalHandlers: machine.handlers as LocalHandlers,
      ...(machine.retryOverrides !== undefined ? { retryIntervalOverrides: machine.retryOverrides } : {}),
    },
    context: {
      Execution: { Id: executionArn, Name: executionName, StartTime: startDate.toISOString() },
      StateMachine: { Id: machine.config.arn, Name: machine.config.name },
      // Each `.waitForTaskToken` task's handler swaps it for a token of its own.
      Task: { Token: TOKEN_PLACEHOLDER },
    },
  });
  const settle = (outcome: ExecutionOutcome): void => {
    Object.assign(record, outcome, { stopDate: context.now() });
    // Release the runner's execution (and its event log) once it has ended.
    record.abort = () => undefined;
    context.log(record.status === 'SUCCEEDED' ? 'info' : 'warn', `Execution ${record.status}: ${executionArn}`, {
      stateMachine: machine.config.name,
      ...(record.error !== undefined ? { error: record.error, cause: record.cause } : {}),
    });
  };
  const record: ExecutionRecord = {
    executionArn,
    machine,
    name: executionName,
    input: inputText,
    startDate,
    status: 'RUNNING',
    abort: execution.abort,
    done: execution.result.then(
      (result) => settle({ status: 'SUCCEEDED', output: JSON.stringify(result) }),
      (error: unknown) => settle(failureOf(error)),
    ),
  };
  context.executions.set(executionArn, record);
  context.track(record.done);
  context.log('info', `Execution started: ${executionArn}`, { stateMachine: machine.config.name });
  return record;
}

function buildMachine(
  config: LocalStateMachine,
  options: LocalStepFunctionsOptions,
  service: {
    log: (level: 'warn', line: string, fields: Record<string, unknown>) => void;
    track: (work: Promise<unknown>) => void;
    tokens: TaskTokens;
  },
): Machine {
  const { log, track } = service;
  // This machine's tasks wait under its ARN: a report to their tokens is authorized on it.
  const tokens: TaskTokens = {
    ...service.tokens,
    wait: (timing) => service.tokens.wait({ ...timing, stateMachineArn: config.arn }),
  };
  let runner: StateMachine;
  try {
    runner = new StateMachine(config.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkPaths: true, checkArn: true },
      // Every Task state gets a local handler; should one be missed, these fake credentials
      // keep the runner from calling real AWS with the developer's own.
      awsConfig: {
        region: options.region,
        credentials: { accessKeys: { accessKeyId: 'local-no-aws', secretAccessKey: 'local-no-aws' } },
      },
    });
  } catch (error) {
    throw new StepFunctionsError(
      'INVALID_DEFINITION',
      `State machine "${config.name}" (${config.arn}) has an invalid definition: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const tasks = collectTaskStates(config.definition, config.name);
  const handlers = createTaskHandlers(tasks, config.name, {
    region: options.region,
    accountId: options.accountId,
    invokeLambda: options.invokeLambda,
    warn: (line, fields) => log('warn', line, fields),
    track,
    tokens,
  });
  const retryOverrides =
    options.retryIntervalMs === undefined ? undefined : retryOverridesFor(config.definition, options.retryIntervalMs);
  return { config, type: config.type ?? 'STANDARD', runner, handlers, retryOverrides };
}

/** A retry pause override for every state name that has a `Retry` field, nested ones included. */
function retryOverridesFor(definition: Readonly<Record<string, unknown>>, ms: number): Record<string, number> {
  const overrides: Record<string, number> = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const states = (value as Record<string, unknown>)['States'];
    if (typeof states === 'object' && states !== null) {
      for (const [name, state] of Object.entries(states as Record<string, unknown>)) {
        if (typeof state === 'object' && state !== null && 'Retry' in state) overrides[name] = ms;
      }
    }
    Object.values(value as Record<string, unknown>).forEach(visit);
  };
  visit(definition);
  return overrides;
}

/** StartSyncExecution's answer for an ended execution, billed as EXPRESS bills (64 MB, 100 ms steps). */
function syncResultOf(record: ExecutionRecord, now: () => Date): SyncExecutionResult {
  const described = describe(record);
  const stopDate = record.stopDate ?? now();
  return {
    ...described,
    status: record.status === 'SUCCEEDED' || record.status === 'FAILED' ? record.status : 'TIMED_OUT',
    stopDate,
    billingDetails: {
      billedMemoryUsedInMB: 64,
      billedDurationInMilliseconds: Math.max(
        100,
        Math.ceil((stopDate.getTime() - record.startDate.getTime()) / 100) * 100,
      ),
    },
  };
}

function describe(record: ExecutionRecord): ExecutionDescription {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.machine.config.arn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate !== undefined ? { stopDate: record.stopDate } : {}),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
  };
}

/** Reads how aws-local-stepfunctions ended an execution (by error name, not class). */
function failureOf(error: unknown): ExecutionOutcome {
  const name = error instanceof Error ? error.name : undefined;
  if (name === 'ExecutionTimeoutError') {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' };
  }
  if (name === 'ExecutionAbortedError') {
    return { status: 'ABORTED' };
  }
  const stateError = error instanceof Error ? error.cause : undefined;
  if (stateError instanceof Error) {
    return { status: 'FAILED', error: stateError.name, cause: stateError.message };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) };
}

function checkName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || INVALID_NAME_CHARACTERS.test(name)) {
    throw new StepFunctionsError(
      'INVALID_NAME',
      `Invalid Name: '${name}' (1 to ${MAX_NAME_LENGTH} characters, no whitespace, brackets, wildcards, control characters or any of " # % \\ ^ | ~ \` $ & , ; : /)`,
    );
  }
}

/** Without a `log` option: warnings and errors go to stderr, the rest is dropped. */
function defaultLog(line: string, fields?: Record<string, unknown>): void {
  const level = fields?.['level'];
  if (level === 'warn' || level === 'error') {
    process.stderr.write(`${line} ${JSON.stringify(fields)}\n`);
  }
}
