/**
 * Two generic features of the store and the handlers, against dynalite (behind the transaction front):
 * unique keys claimed with a commit (two streams racing for one key: one is stored, the other told the
 * key's code; a released key can be claimed again), and saga steps (a commit with a task token is
 * reported to Step Functions once settled; a broken rule is thrown under its code).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDynamoDbEventStore } from '../src/dynamodb';
import { createEventBridgePublisher } from '../src/eventbridge';
import { createCommandHandler, createEventHandlers, type AppSyncResolverEvent } from '../src/handlers';
import { BusinessRuleViolationError, readConfig, type Decider, type FinalOutcome } from '../src/index';
import { createStepFunctionsReporter } from '../src/stepfunctions';
import { createEventsTable, startCapturingBus, startCapturingGraphQL, startDynalite } from '../src/testing';

type HandleCommand = { type: 'Take'; data: { handle: string } } | { type: 'Drop'; data: Record<string, never> };
type HandleEvent = { type: 'Taken'; data: { handle: string } } | { type: 'Dropped'; data: Record<string, never> };
type HandleState = { readonly handle: string | null };

/** A stream holds one handle at most; no two streams hold the same one. */
const handles: Decider<HandleCommand, HandleEvent, HandleState> = {
  initialState: { handle: null },
  reducerVersion: 1,
  decide: (command, state) => {
    if (command.type === 'Drop') return [{ type: 'Dropped', data: {} }];
    if (command.data.handle === 'forbidden') throw new BusinessRuleViolationError('HANDLE_FORBIDDEN', 'no');
    if (state.handle !== null) throw new BusinessRuleViolationError('HANDLE_HELD', `already ${state.handle}`);
    return [{ type: 'Taken', data: command.data }];
  },
  evolve: (_state, event) => ({ handle: event.type === 'Taken' ? event.data.handle : null }),
  uniqueKeys: (state) => (state.handle === null ? [] : [{ key: `handle:${state.handle}`, code: 'HANDLE_TAKEN' }]),
};

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let bus: Awaited<ReturnType<typeof startCapturingBus>>;
let appsync: Awaited<ReturnType<typeof startCapturingGraphQL>>;
let sfn: Awaited<ReturnType<typeof startCapturingGraphQL>>;

beforeAll(async () => {
  dynamo = await startDynalite();
  await createEventsTable(dynamo.client, 'handle-events');
  bus = await startCapturingBus();
  appsync = await startCapturingGraphQL();
  sfn = await startCapturingGraphQL();
});
afterAll(async () => {
  await Promise.all([dynamo.close(), bus.close(), appsync.close(), sfn.close()]);
});

const config = () => readConfig({ AWS_REGION: 'us-east-1' });
const store = () => createDynamoDbEventStore({ tableName: 'handle-events', client: dynamo.client });
const command = createCommandHandler<HandleCommand, HandleEvent, HandleState>({
  aggregate: 'handle',
  decider: handles,
  config,
  parse: (field, args) => {
    const input = args.input as { id: string; handle: string };
    const parsed: HandleCommand =
      field === 'drop' ? { type: 'Drop', data: {} } : { type: 'Take', data: { handle: input.handle } };
    return { streamId: input.id, command: parsed };
  },
  adapters: () => ({
    store: store(),
    publisher: createEventBridgePublisher({
      eventBusName: 'core',
      source: 'core.handle',
      client: new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials }),
    }),
    deadlineMs: 10_000,
  }),
});
let eventStore: ReturnType<typeof store>;
const { handler: eventHandler } = createEventHandlers({
  aggregate: 'handle',
  reducer: handles,
  config,
  toNotification: (outcome: FinalOutcome<HandleState>) => ({ input: { id: outcome.streamId, status: outcome.status } }),
  adapters: () => ({
    store: (eventStore = store()),
    notifier: { notify: async () => undefined },
    tasks: createStepFunctionsReporter({
      region: 'us-east-1',
      endpoint: sfn.url,
      credentials: async () => credentials,
    }),
  }),
});

const mutation = (fieldName: string, input: Record<string, unknown>): AppSyncResolverEvent => ({
  arguments: { input },
  identity: { userArn: 'arn:aws:iam::000000000000:role/saga' },
  info: { fieldName, parentTypeName: 'Mutation' },
});
/** Sends commands, then delivers every commit they published, all at once (a race on the store). */
async function race(...commands: AppSyncResolverEvent[]) {
  const from = bus.accepted.length;
  for (const each of commands) await command(each, { awsRequestId: 'r' });
  const entries = bus.accepted.slice(from);
  return Promise.all(
    entries.map((entry) =>
      eventHandler({
        id: 'e',
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail),
      }),
    ),
  );
}

describe('unique keys', () => {
  it('stores one of two streams racing for a key and tells the other the key code, in one transaction', async () => {
    await race(mutation('take', { id: 'warm-up', handle: 'warm-up' }));
    const writes = eventStore.metrics.writeRequests;
    const outcomes = await race(
      mutation('take', { id: 'a', handle: 'ada', commandId: 'take-a' }),
      mutation('take', { id: 'b', handle: 'ada', commandId: 'take-b' }),
    );
    // The winner's transaction, the loser's cancelled transaction and its rejection record.
    expect(eventStore.metrics.writeRequests - writes).toBe(3);
    const statuses = outcomes.map((outcome) => outcome?.status).sort();
    expect(statuses).toEqual(['REJECTED', 'STORED']);
    const rejected = outcomes.find((outcome) => outcome?.status === 'REJECTED');
    expect(rejected).toMatchObject({
      error: { code: 'HANDLE_TAKEN', message: 'handle:ada belongs to another handle' },
    });
    const loser = rejected?.streamId ?? '';
    expect((await store().load(loser, handles)).version).toBe(0);
    expect(await store().findCommand(`take-${loser}`)).toMatchObject({ status: 'REJECTED', code: 'HANDLE_TAKEN' });
  });

  it('lets a key given up be claimed by another stream', async () => {
    await race(mutation('take', { id: 'c', handle: 'cy', commandId: 'take-c' }));
    expect(await race(mutation('take', { id: 'd', handle: 'cy', commandId: 'take-d' }))).toMatchObject([
      { status: 'REJECTED', error: { code: 'HANDLE_TAKEN' } },
    ]);
    expect(await race(mutation('drop', { id: 'c', commandId: 'drop-c' }))).toMatchObject([{ status: 'STORED' }]);
    expect(await race(mutation('take', { id: 'd', handle: 'cy', commandId: 'take-d2' }))).toMatchObject([
      { status: 'STORED' },
    ]);
  });

  it('refuses a stream id in the claims partition', async () => {
    await expect(store().load('claim#handle:ada', handles)).rejects.toMatchObject({ code: 'INVALID_ID' });
  });
});

describe('saga steps (a task token in the input)', () => {
  const reports = () =>
    sfn.requests.map((request) => ({
      target: request.headers['x-amz-target'],
      body: JSON.parse(request.body) as Record<string, string>,
    }));

  it('report a stored step with SendTaskSuccess and the notification, signed for states', async () => {
    const from = sfn.requests.length;
    await race(mutation('take', { id: 'e', handle: 'eve', commandId: 'take-e', taskToken: 'token-e' }));
    const [report] = reports().slice(from);
    expect(report).toEqual({
      target: 'AWSStepFunctions.SendTaskSuccess',
      body: { taskToken: 'token-e', output: JSON.stringify({ input: { id: 'e', status: 'STORED' } }) },
    });
    expect(sfn.requests[from]?.headers.authorization).toMatch(/Credential=AKIDLOCAL\/\d+\/us-east-1\/states\//);
  });

  it('report a rejected step with SendTaskFailure under the rejection code', async () => {
    const from = sfn.requests.length;
    await race(mutation('take', { id: 'f', handle: 'eve', commandId: 'take-f', taskToken: 'token-f' }));
    expect(reports().slice(from)).toEqual([
      {
        target: 'AWSStepFunctions.SendTaskFailure',
        body: { taskToken: 'token-f', error: 'HANDLE_TAKEN', cause: 'handle:eve belongs to another handle' },
      },
    ]);
  });

  it('throw a broken rule under its code, so that the Catch of the state machine matches it', async () => {
    const refusal = command(mutation('take', { id: 'g', handle: 'forbidden', taskToken: 'token-g' }), {
      awsRequestId: 'r',
    });
    await expect(refusal).rejects.toMatchObject({ name: 'HANDLE_FORBIDDEN', message: 'HANDLE_FORBIDDEN: no' });
    const direct = command(mutation('take', { id: 'g', handle: 'forbidden' }), { awsRequestId: 'r' });
    await expect(direct).rejects.toMatchObject({ name: 'BusinessRuleViolation' });
  });

  it('give a retried step (a new task token, the same command) the same fingerprint, and report to the new token', async () => {
    const from = bus.accepted.length;
    const first = await command(mutation('take', { id: 'h', handle: 'hal', commandId: 'take-h', taskToken: 't1' }), {
      awsRequestId: 'r',
    });
    const entry = bus.accepted[from];
    await eventHandler({
      id: 'e',
      source: 'core.handle',
      'detail-type': 'Commit',
      detail: JSON.parse(entry?.Detail ?? ''),
    });
    const retried = await command(mutation('take', { id: 'h', handle: 'hal', commandId: 'take-h', taskToken: 't2' }), {
      awsRequestId: 'r',
    });
    expect(retried.fingerprint).toBe(first.fingerprint);
    const renotify = bus.accepted.at(-1);
    expect(renotify?.DetailType).toBe('Renotify');
    const reportsFrom = sfn.requests.length;
    await eventHandler({
      id: 'e',
      source: 'core.handle',
      'detail-type': 'Renotify',
      detail: JSON.parse(renotify?.Detail ?? ''),
    });
    expect(reports().slice(reportsFrom)).toMatchObject([
      { target: 'AWSStepFunctions.SendTaskSuccess', body: { taskToken: 't2' } },
    ]);
  });

  it('treat a task that no longer waits as reported: nothing is retried', async () => {
    const gone = await startCapturingGraphQL(() => ({
      status: 400,
      body: { __type: 'com.amazonaws.swf.service.v2.model#TaskTimedOut' },
    }));
    const reporter = createStepFunctionsReporter({
      region: 'us-east-1',
      endpoint: gone.url,
      credentials: async () => credentials,
    });
    await expect(reporter.succeed('late', {})).resolves.toBeUndefined();
    expect(reporter.metrics).toEqual({ requests: 1, gone: 1 });
    await gone.close();
    const broken = await startCapturingGraphQL(() => ({ status: 500, body: { __type: 'InternalFailure' } }));
    const failing = createStepFunctionsReporter({
      region: 'us-east-1',
      endpoint: broken.url,
      credentials: async () => credentials,
    });
    await expect(failing.fail('t', 'X', 'y')).rejects.toMatchObject({ code: 'REPORT_FAILED' });
    await broken.close();
  });
});

describe('external events (a commit one aggregate publishes for another aggregate’s stream)', () => {
  type AuditEvent = { type: 'Noted'; data: { handle: string } };
  const audit = {
    initialState: { notes: [] as string[] },
    reducerVersion: 3,
    evolve: (state: { notes: string[] }, event: AuditEvent) => ({ notes: [...state.notes, event.data.handle] }),
  };
  const taker = createCommandHandler<HandleCommand, HandleEvent, HandleState>({
    aggregate: 'handle',
    decider: handles,
    config,
    parse: (_field, args) => {
      const input = args.input as { id: string; handle: string };
      return { streamId: input.id, command: { type: 'Take', data: { handle: input.handle } } };
    },
    external: (command) =>
      command.type === 'Take'
        ? [
            {
              aggregate: 'audit',
              streamId: 'audit-1',
              expectedVersion: 0,
              events: [{ type: 'Noted', data: command.data }],
            },
          ]
        : [],
    adapters: () => ({
      store: store(),
      publisher: createEventBridgePublisher({
        eventBusName: 'core',
        source: 'core.handle',
        client: new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials }),
      }),
      deadlineMs: 10_000,
    }),
  });
  const { handler: auditHandler } = createEventHandlers({
    aggregate: 'audit',
    reducer: audit,
    config,
    toNotification: (outcome: FinalOutcome<{ notes: string[] }>) => ({ input: { status: outcome.status } }),
    adapters: () => ({ store: store(), notifier: { notify: async () => undefined } }),
  });

  it('publishes them first, as an ExternalCommit the other aggregate stores, folding the state itself', async () => {
    const from = bus.accepted.length;
    await taker(mutation('take', { id: 'x', handle: 'xena', commandId: 'take-x' }), { awsRequestId: 'r' });
    const [external, own] = bus.accepted.slice(from);
    expect([external?.DetailType, own?.DetailType]).toEqual(['ExternalCommit', 'Commit']);
    const deliver = () =>
      auditHandler({
        id: 'e',
        source: 'core.handle',
        'detail-type': 'ExternalCommit',
        detail: JSON.parse(external?.Detail ?? ''),
      });
    expect(await deliver()).toMatchObject({ status: 'STORED', version: 1, state: { notes: ['xena'] } });
    expect(await deliver()).toMatchObject({ status: 'STORED', version: 1 });
    expect((await store().load('audit-1', audit)).state).toEqual({ notes: ['xena'] });
  });

  it('rejects one decided on a version the stream has left as CONFLICT', async () => {
    const from = bus.accepted.length;
    await taker(mutation('take', { id: 'y', handle: 'yuri', commandId: 'take-y' }), { awsRequestId: 'r' });
    const external = bus.accepted[from];
    const outcome = await auditHandler({
      id: 'e',
      source: 'core.handle',
      'detail-type': 'ExternalCommit',
      detail: JSON.parse(external?.Detail ?? ''),
    });
    expect(outcome).toMatchObject({ status: 'REJECTED', error: { code: 'CONFLICT' } });
  });
});
