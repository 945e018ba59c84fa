import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLocalStepFunctions,
  type LambdaInvokeResult,
  type LocalStateMachine,
  type LocalStepFunctions,
} from '../src/stepfunctions';

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const fn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const machineArn = (name: string): string => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

const SAGA_ARN = machineArn('ReservationSaga');
const EXPRESS_ARN = machineArn('Quote');

/**
 * Reserve (lambda:invoke, retried on Transient, caught into Compensate) → Confirm (plain
 * function ARN). Compensate → Fail.
 */
const sagaDefinition = {
  Comment: 'Two steps with Retry and Catch',
  StartAt: 'Reserve',
  States: {
    Reserve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: fn('reserve'), 'Payload.$': '$' },
      ResultPath: '$.reserve',
      Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' }],
      Next: 'Confirm',
    },
    Confirm: {
      Type: 'Task',
      Resource: fn('confirm'),
      Parameters: { 'reservation.$': '$.reserve.Payload', 'requestedBy.$': '$.guest' },
      ResultPath: '$.confirm',
      End: true,
    },
    Compensate: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: 'compensate',
        Payload: { 'reason.$': '$.error.Error', 'cause.$': '$.error.Cause', 'execution.$': '$$.Execution.Id' },
      },
      ResultSelector: { 'undone.$': '$.Payload.undone' },
      ResultPath: '$.compensation',
      Next: 'Failed',
    },
    Failed: { Type: 'Fail', Error: 'ReservationFailed', Cause: 'The reservation was compensated' },
  },
};

const expressDefinition = {
  StartAt: 'Price',
  States: {
    Price: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: fn('price'), 'Payload.$': '$' },
      OutputPath: '$.Payload',
      End: true,
    },
  },
};

type FakeLambda = (payload: unknown) => LambdaInvokeResult | Promise<LambdaInvokeResult>;

interface Harness {
  readonly sfn: LocalStepFunctions;
  readonly client: SFNClient;
  readonly endpoint: string;
  readonly calls: Array<{ functionArn: string; payload: unknown }>;
  callsTo(name: string): unknown[];
  stop(): Promise<void>;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function startHarness(
  lambdas: Record<string, FakeLambda>,
  stateMachines: LocalStateMachine[] = [
    { arn: SAGA_ARN, name: 'ReservationSaga', definition: sagaDefinition },
    { arn: EXPRESS_ARN, name: 'Quote', definition: expressDefinition, type: 'EXPRESS' },
  ],
): Promise<Harness> {
  const calls: Harness['calls'] = [];
  const sfn = createLocalStepFunctions({
    region: REGION,
    accountId: ACCOUNT,
    stateMachines,
    retryIntervalMs: 0,
    log: () => undefined,
    invokeLambda: async (functionArn, payload) => {
      calls.push({ functionArn, payload });
      const lambda = Object.entries(lambdas).find(([name]) => fn(name) === functionArn)?.[1];
      if (lambda === undefined) {
        return { ok: false, errorType: 'Lambda.ResourceNotFoundException', errorMessage: `No function ${functionArn}` };
      }
      return lambda(payload);
    },
  });
  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      if (!(await sfn.handleHttp(req, res, body))) {
        res.writeHead(404).end();
      }
    });
  });
  const endpoint = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  const client = new SFNClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    // StartSyncExecution has the host prefix "sync-", which would turn 127.0.0.1 into a name that does not resolve.
    disableHostPrefix: true,
  });
  return {
    sfn,
    client,
    endpoint,
    calls,
    callsTo: (name) => calls.filter((call) => call.functionArn === fn(name)).map((call) => call.payload),
    stop: async () => {
      client.destroy();
      await sfn.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

describe('StartExecution and DescribeExecution over the AWS JSON 1.0 protocol', () => {
  it('runs the two steps, retrying a Transient failure, and succeeds', async () => {
    let reserveFailures = 1;
    harness = await startHarness({
      reserve: (payload) => {
        if (reserveFailures > 0) {
          reserveFailures -= 1;
          return { ok: false, errorType: 'Transient', errorMessage: 'try again' };
        }
        return { ok: true, value: { reservationId: 'r-1', seats: (payload as { seats: number }).seats } };
      },
      confirm: (payload) => ({ ok: true, value: { confirmed: true, got: payload } }),
    });
    const input = { guest: 'ada', seats: 2 };

    const started = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: SAGA_ARN, name: 'reservation-r-1', input: JSON.stringify(input) }),
    );
    await harness.sfn.idle();
    const described = await harness.client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

    expect(started.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:ReservationSaga:reservation-r-1`);
    expect(started.startDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: SAGA_ARN,
      name: 'reservation-r-1',
      status: 'SUCCEEDED',
      input: JSON.stringify(input),
    });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(harness.callsTo('reserve')).toEqual([input, input]);
    expect(harness.callsTo('confirm')).toEqual([
      { reservation: { reservationId: 'r-1', seats: 2 }, requestedBy: 'ada' },
    ]);

    const output = JSON.parse(described.output ?? 'null') as Record<string, unknown>;
    expect(output['reserve']).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: { reservationId: 'r-1', seats: 2 },
      SdkHttpMetadata: {
        AllHttpHeaders: expect.any(Object),
        HttpHeaders: expect.objectContaining({ 'X-Amz-Executed-Version': '$LATEST' }),
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: expect.any(String) },
      StatusCode: 200,
    });
    expect(output['confirm']).toEqual({
      confirmed: true,
      got: { reservation: { reservationId: 'r-1', seats: 2 }, requestedBy: 'ada' },
    });
  });

  it('catches a Lambda error, compensates with the error name and cause, and fails at the Fail state', async () => {
    harness = await startHarness({
      reserve: () => ({
        ok: false,
        errorType: 'SeatsUnavailable',
        errorMessage: 'No seats left',
        trace: ['at reserve'],
      }),
      compensate: () => ({ ok: true, value: { undone: true } }),
    });

    const started = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: SAGA_ARN, input: JSON.stringify({ guest: 'bob', seats: 9 }) }),
    );
    await harness.sfn.idle();
    const described = await harness.client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

    expect(harness.callsTo('reserve')).toHaveLength(1);
    expect(harness.callsTo('confirm')).toEqual([]);
    expect(harness.callsTo('compensate')).toEqual([
      {
        reason: 'SeatsUnavailable',
        cause: JSON.stringify({ errorType: 'SeatsUnavailable', errorMessage: 'No seats left', trace: ['at reserve'] }),
        execution: started.executionArn,
      },
    ]);
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'ReservationFailed',
      cause: 'The reservation was compensated',
    });
    expect(described.output).toBeUndefined();
  });

  it('stops retrying after MaxAttempts and hands the last error to Catch', async () => {
    harness = await startHarness({
      reserve: () => ({ ok: false, errorType: 'Transient', errorMessage: 'still down' }),
      compensate: () => ({ ok: true, value: { undone: true } }),
    });

    await harness.client.send(new StartExecutionCommand({ stateMachineArn: SAGA_ARN, input: '{"seats":1}' }));
    await harness.sfn.idle();

    expect(harness.callsTo('reserve')).toHaveLength(3);
    expect(harness.callsTo('compensate')).toEqual([expect.objectContaining({ reason: 'Transient' })]);
  });

  it('fails the execution with the function error when nothing catches it', async () => {
    harness = await startHarness({}, [{ arn: EXPRESS_ARN, name: 'Quote', definition: expressDefinition }]);

    const { executionArn } = harness.sfn.startExecution(EXPRESS_ARN, { item: 'x' }, 'no-function');
    await harness.sfn.idle();

    expect(harness.sfn.describeExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'Lambda.ResourceNotFoundException',
      cause: expect.stringContaining('No function'),
    });
  });

  it('is idempotent for a running execution with the same name and input, and refuses a different input', async () => {
    let release: () => void = () => undefined;
    harness = await startHarness({
      reserve: () =>
        new Promise<LambdaInvokeResult>((resolve) => {
          release = () => resolve({ ok: true, value: {} });
        }),
      confirm: () => ({ ok: true, value: {} }),
    });
    const start = (input: string): Promise<unknown> =>
      harness!.client.send(new StartExecutionCommand({ stateMachineArn: SAGA_ARN, name: 'once', input }));

    const first = (await start('{"seats":1}')) as { executionArn: string };
    const again = (await start('{"seats":1}')) as { executionArn: string };
    await expect(start('{"seats":2}')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    release();
    await harness.sfn.idle();

    expect(again.executionArn).toBe(first.executionArn);
    expect(harness.callsTo('reserve')).toHaveLength(1);
    await expect(start('{"seats":1}')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('answers AWS errors for unknown state machines and executions, bad names and bad input', async () => {
    harness = await startHarness({});
    const client = harness.client;

    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: machineArn('Nope'), input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist', $metadata: { httpStatusCode: 400 } });
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: SAGA_ARN, name: 'has space', input: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: SAGA_ARN, input: '{not json' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(
      client.send(
        new DescribeExecutionCommand({
          executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ReservationSaga:missing`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('answers unknown AWSStepFunctions operations with an AWS JSON error and leaves other requests alone', async () => {
    harness = await startHarness({});
    const post = (target: string): Promise<Response> =>
      fetch(harness!.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body: '{}',
      });

    const unknown = await post('AWSStepFunctions.ListExecutions');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      __type: 'UnknownOperationException',
      message: expect.stringContaining('ListExecutions'),
    });
    expect((await post('AWSEvents.PutEvents')).status).toBe(404);
  });
});

describe('StartSyncExecution', () => {
  it('runs an EXPRESS state machine to its end and answers with the output', async () => {
    harness = await startHarness({ price: (payload) => ({ ok: true, value: { ...(payload as object), price: 42 } }) });

    const result = await harness.client.send(
      new StartSyncExecutionCommand({ stateMachineArn: EXPRESS_ARN, name: 'quote-1', input: '{"item":"tea"}' }),
    );

    expect(result).toMatchObject({
      stateMachineArn: EXPRESS_ARN,
      name: 'quote-1',
      status: 'SUCCEEDED',
      input: '{"item":"tea"}',
    });
    expect(result.executionArn).toMatch(new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:express:Quote:quote-1:`));
    expect(JSON.parse(result.output ?? 'null')).toEqual({ item: 'tea', price: 42 });
    expect(result.stopDate).toBeInstanceOf(Date);
  });

  it('refuses a STANDARD state machine', async () => {
    harness = await startHarness({});

    await expect(
      harness.client.send(new StartSyncExecutionCommand({ stateMachineArn: SAGA_ARN, input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
  });
});

describe('construction and unsupported resources', () => {
  const base = {
    region: REGION,
    accountId: ACCOUNT,
    invokeLambda: async (): Promise<LambdaInvokeResult> => ({ ok: true, value: null }),
  };

  it('refuses an invalid definition, naming the state machine', () => {
    let thrown: unknown;
    try {
      createLocalStepFunctions({
        ...base,
        stateMachines: [{ arn: machineArn('Broken'), name: 'Broken', definition: { StartAt: 'Missing', States: {} } }],
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      name: 'StepFunctionsError',
      code: 'INVALID_DEFINITION',
      awsErrorType: 'InvalidDefinition',
    });
    expect((thrown as Error).message).toContain('"Broken"');
  });

  it('refuses lambda:invoke without FunctionName', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'Payload.$': '$' }, End: true },
      },
    };
    expect(() =>
      createLocalStepFunctions({ ...base, stateMachines: [{ arn: machineArn('NoFn'), name: 'NoFn', definition }] }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_DEFINITION',
        awsErrorType: 'InvalidDefinition',
        message: expect.stringContaining('FunctionName'),
      }),
    );
  });

  it('runs Task states nested in Parallel and Map, and fails an unsupported resource with an uncatchable States.Runtime', async () => {
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Each',
              States: {
                Each: {
                  Type: 'Map',
                  ItemsPath: '$.items',
                  ItemProcessor: {
                    StartAt: 'Double',
                    States: { Double: { Type: 'Task', Resource: fn('double'), End: true } },
                  },
                  End: true,
                },
              },
            },
          ],
          Next: 'Wait',
        },
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: 'https://sqs/q', 'MessageBody.$': '$' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    };
    const warnings: string[] = [];
    const doubled: unknown[] = [];
    const sfn = createLocalStepFunctions({
      ...base,
      log: (line, fields) => {
        if (fields?.['level'] === 'warn') warnings.push(line);
      },
      stateMachines: [{ arn: machineArn('Nested'), name: 'Nested', definition }],
      invokeLambda: async (_arn, payload) => {
        doubled.push(payload);
        return { ok: true, value: (payload as number) * 2 };
      },
    });

    const { executionArn } = sfn.startExecution(machineArn('Nested'), { items: [1, 2, 3] });
    await sfn.idle();

    expect(doubled.sort()).toEqual([1, 2, 3]);
    expect(warnings.some((line) => line.includes('sqs:sendMessage'))).toBe(true);
    expect(sfn.describeExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: expect.stringContaining('sqs:sendMessage'),
    });
    await sfn.close();
  });
});

describe('lambda:invoke.waitForTaskToken (the callback pattern the runner lacks)', () => {
  const waiting = (extra: Record<string, unknown> = {}) => ({
    StartAt: 'Step',
    States: {
      Step: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: fn('step'), Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
        ResultPath: '$.reported',
        Catch: [{ ErrorEquals: ['DECLINED'], ResultPath: '$.failure', Next: 'Declined' }],
        TimeoutSeconds: 30,
        ...extra,
        End: true,
      },
      Declined: { Type: 'Pass', End: true },
    },
  });
  const machine = (definition: Record<string, unknown>) => [
    { arn: machineArn('Callback'), name: 'Callback', definition },
  ];
  const tokenOf = (h: Harness) => (h.callsTo('step').at(-1) as { token: string }).token;
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('passes a task token in the payload and takes what SendTaskSuccess reports as the result', async () => {
    harness = await startHarness({ step: () => ({ ok: true, value: 'ignored' }) }, machine(waiting()));
    const { executionArn } = await harness.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('Callback'), input: '{"order":7}' }),
    );
    await until(() => harness!.callsTo('step').length > 0);
    const token = tokenOf(harness);
    expect(token).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(harness.callsTo('step')).toEqual([{ token, order: 7 }]);
    expect(harness.sfn.describeExecution(executionArn ?? '').status).toBe('RUNNING');

    // The task's state machine is what IAM authorizes a report on, also once the task ended.
    expect(harness.sfn.tasks.stateMachineOf(token)).toBe(machineArn('Callback'));
    expect(harness.sfn.tasks.stateMachineOf('local-unknown')).toBeUndefined();
    await harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"stored":true}' }));
    await harness.sfn.idle();
    expect(harness.sfn.tasks.stateMachineOf(token)).toBe(machineArn('Callback'));
    expect(harness.sfn.describeExecution(executionArn ?? '')).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify({ order: 7, reported: { stored: true } }),
    });
    await expect(
      harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('fails the task with the error SendTaskFailure names, which Catch matches', async () => {
    harness = await startHarness({ step: () => ({ ok: true, value: null }) }, machine(waiting()));
    const { executionArn } = harness.sfn.startExecution(machineArn('Callback'), { order: 8 });
    await until(() => harness!.callsTo('step').length > 0);
    await harness.client.send(
      new SendTaskFailureCommand({ taskToken: tokenOf(harness), error: 'DECLINED', cause: 'over the limit' }),
    );
    await harness.sfn.idle();
    expect(JSON.parse(harness.sfn.describeExecution(executionArn).output ?? '{}')).toEqual({
      order: 8,
      failure: { Error: 'DECLINED', Cause: 'over the limit' },
    });
  });

  it('fails the task at once when the function fails, and with States.HeartbeatTimeout without heartbeats', async () => {
    harness = await startHarness(
      { step: () => ({ ok: false, errorType: 'DECLINED', errorMessage: 'refused at once' }) },
      machine(waiting()),
    );
    const refused = harness.sfn.startExecution(machineArn('Callback'), { order: 9 });
    await harness.sfn.idle();
    expect(harness.sfn.describeExecution(refused.executionArn).output).toContain('refused at once');
    await harness.stop();

    harness = await startHarness(
      { step: () => ({ ok: true, value: null }) },
      machine(waiting({ HeartbeatSeconds: 1 })),
    );
    const silent = harness.sfn.startExecution(machineArn('Callback'), { order: 10 });
    await until(() => harness!.callsTo('step').length > 0);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await harness.client.send(new SendTaskHeartbeatCommand({ taskToken: tokenOf(harness) }));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(harness.sfn.describeExecution(silent.executionArn).status).toBe('RUNNING');
    await harness.sfn.idle();
    expect(harness.sfn.describeExecution(silent.executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'States.HeartbeatTimeout',
    });
    await expect(
      harness.client.send(new SendTaskSuccessCommand({ taskToken: tokenOf(harness), output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });
});
