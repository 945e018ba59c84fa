import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { createAppSyncNotifier } from '../src/appsync';
import { createDynamoDbEventStore } from '../src/dynamodb';
import { createEventBridgePublisher } from '../src/eventbridge';
import {
  createCommandHandler,
  createEventHandlers,
  createQueryHandler,
  type AppSyncResolverEvent,
  type BusEvent,
  type CommandHandlerOptions,
} from '../src/handlers';
import { BusinessRuleViolationError, readConfig, recentCommitEntry, type FinalOutcome } from '../src/index';
import { startCapturingBus, startCapturingGraphQL } from '../src/testing';
import { counterDecider, type CounterCommand, type CounterEvent, type CounterState } from './support/counter';
import { createEventsTable, startDynalite } from '../src/testing';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let bus: Awaited<ReturnType<typeof startCapturingBus>>;
let appsync: Awaited<ReturnType<typeof startCapturingGraphQL>>;
let now = new Date('2026-11-28T10:00:00Z');
const decider = counterDecider();

const env = () => ({
  EVENTS_TABLE_NAME: 'counter-events',
  EVENT_BUS_NAME: 'core',
  GRAPHQL_URL: appsync.url,
  AWS_REGION: 'us-east-1',
});

const commandOptions = (): CommandHandlerOptions<CounterCommand, CounterEvent, CounterState> => ({
  aggregate: 'counter',
  decider,
  clock: () => now,
  config: () => readConfig(env()),
  parse: (_field, args) => {
    const input = args.input as { id: string; amount: number };
    return { streamId: input.id, command: { type: 'Add', data: { amount: input.amount } } };
  },
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME'), client: dynamo.client }),
    publisher: createEventBridgePublisher({
      eventBusName: config.required('EVENT_BUS_NAME'),
      source: 'core.counter',
      client: new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials }),
    }),
    deadlineMs: 10_000,
  }),
});
const command = () =>
  createCommandHandler<CounterCommand, ReturnType<typeof decider.decide>[number], CounterState>(commandOptions());

const { handler: eventHandler, deadLetterHandler } = createEventHandlers({
  aggregate: 'counter',
  reducer: decider,
  clock: () => now,
  config: () => readConfig(env()),
  toNotification: (outcome: FinalOutcome<CounterState>) => ({
    input: {
      id: outcome.streamId,
      commandId: outcome.commandId,
      fingerprint: outcome.fingerprint,
      status: outcome.status,
      total: outcome.status === 'STORED' ? outcome.state.total : null,
      errorCode: outcome.status === 'REJECTED' ? outcome.error.code : null,
    },
  }),
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME'), client: dynamo.client }),
    notifier: createAppSyncNotifier({
      url: config.required('GRAPHQL_URL'),
      region: config.required('AWS_REGION'),
      mutation: 'mutation Saved($input: SavedInput!) { saved(input: $input) { id } }',
      credentials: async () => credentials,
    }),
    writeMarginMs: 1_000,
  }),
});

function mutation(input: Record<string, unknown>): AppSyncResolverEvent {
  return {
    arguments: { input },
    identity: { userArn: 'arn:aws:iam::000000000000:role/frontend' },
    info: { fieldName: 'add', parentTypeName: 'Mutation' },
    request: { headers: { 'x-correlation-id': 'corr-1' } },
  };
}

/** The bus event a rule would deliver for a captured entry. */
function busEvent(entry: { Source: string; DetailType: string; Detail: string }): BusEvent {
  return { id: 'e', source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) };
}

/** Delivers what the bus captured since `from` to the event handler, as a bus rule would. */
async function deliver(from: number): Promise<(FinalOutcome<CounterState> | undefined)[]> {
  const outcomes = [];
  for (const entry of bus.accepted.slice(from)) outcomes.push(await eventHandler(busEvent(entry)));
  return outcomes;
}

const lambdaContext = { awsRequestId: 'req-1' };
const notifications = () =>
  appsync.requests.map(
    (r) => (JSON.parse(r.body) as { variables: { input: Record<string, unknown> } }).variables.input,
  );

beforeAll(async () => {
  dynamo = await startDynalite();
  await createEventsTable(dynamo.client, 'counter-events');
  bus = await startCapturingBus();
  appsync = await startCapturingGraphQL();
});
afterAll(async () => {
  await Promise.all([dynamo.close(), bus.close(), appsync.close()]);
});

const store = () => createDynamoDbEventStore({ tableName: 'counter-events', client: dynamo.client });
const send = (input: Record<string, unknown>) => command()(mutation(input), lambdaContext);

describe('command → publish → store → notify', () => {
  it('accepts, publishes, stores and notifies STORED with the state', async () => {
    const answer = await send({ id: 'flow-1', amount: 5, commandId: 'cmd-1' });
    expect(answer).toEqual({
      id: 'flow-1',
      commandId: 'cmd-1',
      fingerprint: expect.stringMatching(/^[\w-]{22}$/) as unknown as string,
      deadline: '2026-11-28T10:00:10.000Z',
    });
    const published = JSON.parse(bus.accepted.at(-1)?.Detail ?? '{}');
    expect(published).toMatchObject({
      streamId: 'flow-1',
      commitId: 'cmd-1',
      fingerprint: answer.fingerprint,
      correlationId: 'corr-1',
      expectedVersion: 0,
      state: { total: 5, count: 1 },
      recentCommits: [recentCommitEntry('cmd-1', answer.fingerprint)],
    });
    expect(published.events[0]).toMatchObject({
      type: 'Added',
      version: 1,
      causationId: 'cmd-1',
      actor: { kind: 'iam', id: 'arn:aws:iam::000000000000:role/frontend' },
      deadline: '2026-11-28T10:00:10.000Z',
    });

    const [outcome] = await deliver(bus.accepted.length - 1);
    expect(outcome).toMatchObject({ status: 'STORED', version: 1, state: { total: 5 } });
    expect(notifications().at(-1)).toEqual({
      id: 'flow-1',
      commandId: 'cmd-1',
      fingerprint: answer.fingerprint,
      status: 'STORED',
      total: 5,
      errorCode: null,
    });
  });

  it('logs no event data above debug level: ids, steps and outcomes only', async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    const log = jest.spyOn(console, 'log').mockImplementation(capture);
    const error = jest.spyOn(console, 'error').mockImplementation(capture);
    try {
      const before = bus.accepted.length;
      await send({ id: 'flow-log', amount: 987_654, commandId: 'log-1' });
      await deliver(before);
      await send({ id: 'flow-log', amount: -987_654_321 }).catch(() => undefined);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => line.includes('987654'))).toEqual([]);
  });

  it('signs the notification with SigV4 for the appsync service', async () => {
    const request = appsync.requests.at(-1);
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/us-east-1\/appsync\/aws4_request/,
    );
    // Re-sign the same request with the same clock: the signature must match.
    const url = new URL(appsync.url);
    const signer = new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials, sha256: Sha256 });
    const amzDate = String(request?.headers['x-amz-date']);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const again = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { 'content-type': 'application/json', host: url.host },
        body: request?.body,
      }),
      { signingDate },
    );
    expect(again.headers.authorization).toBe(request?.headers.authorization);
  });

  it('answers a broken business rule at once, publishing nothing', async () => {
    const before = bus.accepted.length;
    await expect(send({ id: 'flow-1', amount: -50 })).rejects.toMatchObject({
      name: 'BusinessRuleViolation',
      message: expect.stringMatching(/^BELOW_ZERO: /) as unknown as string,
    });
    expect(bus.accepted).toHaveLength(before);
  });

  it('lets only one of two commands decided on the same version win; the other is REJECTED with CONFLICT', async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-2', amount: 1, commandId: 'race-a' });
    await send({ id: 'flow-2', amount: 2, commandId: 'race-b' });
    const outcomes = await deliver(before);
    expect(outcomes.map((o) => o?.status)).toEqual(['STORED', 'REJECTED']);
    expect(outcomes[1]).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(notifications().at(-1)).toMatchObject({ commandId: 'race-b', status: 'REJECTED', errorCode: 'CONFLICT' });
    expect(await store().findCommand('race-b')).toMatchObject({ status: 'REJECTED', code: 'CONFLICT' });
  });

  it('stores a repeated delivery once and notifies the same STORED outcome again', async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-3', amount: 7, commandId: 'dup-1' });
    const [first] = await deliver(before);
    const [second] = await deliver(before);
    expect(first).toMatchObject({ status: 'STORED', version: 1 });
    expect(second).toMatchObject({ status: 'STORED', version: 1, state: { total: 7 } });
    expect((await store().load('flow-3', decider)).version).toBe(1);
  });

  it('answers a retry of a stored command with the same id and notifies its stored outcome again', async () => {
    const before = bus.accepted.length;
    const again = await send({ id: 'flow-3', amount: 7, commandId: 'dup-1' });
    expect(again).toMatchObject({ id: 'flow-3', commandId: 'dup-1' });
    expect(bus.accepted.slice(before).map((entry) => entry.DetailType)).toEqual(['Renotify']);
    const [outcome] = await deliver(before);
    expect(outcome).toMatchObject({
      status: 'STORED',
      version: 1,
      state: { total: 7 },
      fingerprint: again.fingerprint,
    });
    expect(notifications().at(-1)).toMatchObject({ commandId: 'dup-1', status: 'STORED', total: 7 });
    expect((await store().load('flow-3', decider)).version).toBe(1);
  });

  it('refuses at once a command id reused for another command of the same stream', async () => {
    const before = bus.accepted.length;
    await expect(send({ id: 'flow-3', amount: 8, commandId: 'dup-1' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^COMMAND_ID_REUSED: /) as unknown as string,
    });
    expect(bus.accepted).toHaveLength(before);
  });

  it('notifies COMMAND_ID_REUSED, never STORED, when only the event handler can see the reuse', async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-5', amount: 1, commandId: 'shared-1' });
    await send({ id: 'flow-6', amount: 2, commandId: 'shared-1' });
    const outcomes = await deliver(before);
    expect(outcomes.map((o) => o?.status)).toEqual(['STORED', 'REJECTED']);
    expect(outcomes[1]).toMatchObject({ streamId: 'flow-6', error: { code: 'COMMAND_ID_REUSED' } });
    expect((await store().load('flow-6', decider)).version).toBe(0);
  });

  it('recalls a stored command when its retry breaks a rule, instead of refusing it', async () => {
    const refusing = createCommandHandler<CounterCommand, ReturnType<typeof decider.decide>[number], CounterState>({
      ...commandOptions(),
      decider: {
        ...decider,
        decide: () => {
          throw new BusinessRuleViolationError('ALREADY_ADDED', 'this was added before');
        },
      },
    });
    const before = bus.accepted.length;
    const answer = await refusing(mutation({ id: 'flow-1', amount: 5, commandId: 'cmd-1' }), lambdaContext);
    expect(answer).toMatchObject({ id: 'flow-1', commandId: 'cmd-1' });
    expect(bus.accepted.slice(before).map((entry) => entry.DetailType)).toEqual(['Renotify']);
  });

  it('never stores an event after its deadline and notifies REJECTED with TIMEOUT, also for a later attempt', async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-4', amount: 1, commandId: 'late-1' });
    now = new Date(now.getTime() + 9_001); // inside the write margin: no write may start
    try {
      const [outcome] = await deliver(before);
      expect(outcome).toMatchObject({ status: 'REJECTED', error: { code: 'TIMEOUT' } });
      expect(notifications().at(-1)).toMatchObject({ commandId: 'late-1', status: 'REJECTED', errorCode: 'TIMEOUT' });
      expect((await store().load('flow-4', decider)).version).toBe(0);

      const retried = bus.accepted.length;
      await send({ id: 'flow-4', amount: 1, commandId: 'late-1' }); // a new deadline, the same command
      const [again] = await deliver(retried);
      expect(again).toMatchObject({ status: 'REJECTED', error: { code: 'TIMEOUT' } });
      expect((await store().load('flow-4', decider)).version).toBe(0);
    } finally {
      now = new Date('2026-11-28T10:00:00Z');
    }
  });

  it('settles dead letters again and reports the ones it could not settle', async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-7', amount: 3, commandId: 'dead-1' });
    const entry = bus.accepted[before];
    if (entry === undefined) throw new Error('nothing published');
    const answer = await deadLetterHandler({
      Records: [
        { messageId: 'm-1', body: JSON.stringify(busEvent(entry)) },
        {
          messageId: 'm-2',
          body: JSON.stringify({ id: 'e', source: 'core.counter', 'detail-type': 'Commit', detail: {} }),
        },
      ],
    });
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(notifications().at(-1)).toMatchObject({ commandId: 'dead-1', status: 'STORED', total: 3 });
  });

  it('refuses a commit of another aggregate, or whose versions do not follow, storing nothing', async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-8', amount: 1, commandId: 'shape-1' });
    const commit = JSON.parse(bus.accepted[before]?.Detail ?? '{}');
    const deliverDetail = (detail: unknown) =>
      eventHandler({ id: 'e', source: 'core.counter', 'detail-type': 'Commit', detail });
    await expect(deliverDetail({ ...commit, aggregate: 'other' })).rejects.toMatchObject({ code: 'MALFORMED_COMMIT' });
    const skipped = { ...commit, events: [{ ...commit.events[0], version: 5 }] };
    await expect(deliverDetail(skipped)).rejects.toMatchObject({ code: 'MALFORMED_COMMIT' });
    expect(await store().findCommand('shape-1')).toBeUndefined();
  });

  it("refuses a commit whose events lack an actor, carry another command's causation, or disagree on the actor", async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-9', amount: 1, commandId: 'shape-2' });
    const commit = JSON.parse(bus.accepted[before]?.Detail ?? '{}');
    const [event] = commit.events;
    const deliverDetail = (detail: unknown) =>
      eventHandler({ id: 'e', source: 'core.counter', 'detail-type': 'Commit', detail });
    const { actor: _dropped, ...withoutActor } = event;
    const forged = [
      { ...commit, events: [withoutActor] },
      { ...commit, events: [{ ...event, actor: { kind: 'root', id: 'me' } }] },
      { ...commit, events: [{ ...event, actor: { kind: 'iam', id: '' } }] },
      { ...commit, events: [{ ...event, causationId: 'another-command' }] },
      { ...commit, events: [{ ...event, correlationId: 'another-request' }] },
      {
        ...commit,
        events: [event, { ...event, version: 2, actor: { kind: 'iam', id: 'arn:aws:iam::1:role/other' } }],
      },
    ];
    for (const detail of forged) {
      await expect(deliverDetail(detail)).rejects.toMatchObject({
        code: 'MALFORMED_COMMIT',
        message: expect.stringMatching(/actor|causationId|correlationId/) as unknown as string,
      });
    }
    expect(await store().findCommand('shape-2')).toBeUndefined();
    await expect(deliverDetail(commit)).resolves.toMatchObject({ status: 'STORED' });
  });

  it('takes the actor from the AppSync identity and the signed user header, never from the input', async () => {
    const before = bus.accepted.length;
    const event = mutation({ id: 'flow-10', amount: 1, commandId: 'actor-1', actor: { kind: 'system', id: 'root' } });
    const headers = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date;x-core-user, Signature=00',
      'x-core-user': 'guest-7',
      'x-core-user-roles': 'admin',
    };
    await command()({ ...event, request: { headers } }, lambdaContext);
    const published = JSON.parse(bus.accepted[before]?.Detail ?? '{}');
    // x-core-user-roles is not among the signed headers: no roles.
    expect(published.events[0].actor).toEqual({
      kind: 'iam',
      id: 'arn:aws:iam::000000000000:role/frontend',
      userId: 'guest-7',
      roles: [],
    });
  });

  it("refuses a command id reused by another caller, without answering the first caller's outcome", async () => {
    const before = bus.accepted.length;
    await send({ id: 'flow-11', amount: 1, commandId: 'mine-1' });
    await deliver(before);
    const notified = appsync.requests.length;
    const other = { ...mutation({ id: 'flow-11', amount: 1, commandId: 'mine-1' }), identity: { sub: 'user-2' } };
    await expect(command()(other, lambdaContext)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^COMMAND_ID_REUSED: /) as unknown as string,
    });
    expect(appsync.requests).toHaveLength(notified);
  });

  it('refuses a blank or overlong command id as a ValidationError that does not echo it', async () => {
    await expect(send({ id: 'flow-1', amount: 1, commandId: '  ' })).rejects.toMatchObject({ name: 'ValidationError' });
    const long = 'x'.repeat(5_000);
    const error = await send({ id: 'flow-1', amount: 1, commandId: long }).catch((caught: Error) => caught);
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^INVALID_ID: /) as unknown as string,
    });
    expect((error as Error).message.length).toBeLessThan(200);
  });

  it('throws when AppSync refuses the notification, so Lambda retries the delivery', async () => {
    const refusing = await startCapturingGraphQL(() => ({
      status: 200,
      body: { errors: [{ errorType: 'Unauthorized', message: 'Not Authorized' }] },
    }));
    const notifier = createAppSyncNotifier({
      url: refusing.url,
      region: 'us-east-1',
      mutation: 'mutation { x }',
      credentials: async () => credentials,
    });
    await expect(notifier.notify({})).rejects.toMatchObject({
      code: 'NOTIFY_FAILED',
      message: expect.stringContaining('Unauthorized') as unknown as string,
    });
    await refusing.close();
  });

  it('answers queries from the state kept with the newest commit, and each command outcome from its record', async () => {
    const query = createQueryHandler({
      reducer: decider,
      config: () => readConfig(env()),
      queries: {
        getCounter: async (args, read) => {
          const { state, version } = await read.load(String(args.id));
          return version === 0 ? null : { ...state, version };
        },
        getOutcome: async (args, read) => read.outcome(String(args.id), String(args.commandId)),
      },
      adapters: (config) => ({
        store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME'), client: dynamo.client }),
      }),
    });
    const event = (fieldName: string, args: Record<string, unknown>): AppSyncResolverEvent => ({
      arguments: args,
      identity: null,
      info: { fieldName, parentTypeName: 'Query' },
    });
    expect(await query(event('getCounter', { id: 'flow-1' }), lambdaContext)).toEqual({
      total: 5,
      count: 1,
      version: 1,
    });
    expect(await query(event('getCounter', { id: 'nobody' }), lambdaContext)).toBeNull();
    expect(await query(event('getOutcome', { id: 'flow-1', commandId: 'cmd-1' }), lambdaContext)).toMatchObject({
      status: 'STORED',
      version: 1,
      state: { total: 5 },
    });
    expect(await query(event('getOutcome', { id: 'flow-2', commandId: 'race-b' }), lambdaContext)).toMatchObject({
      status: 'REJECTED',
      error: { code: 'CONFLICT' },
    });
    expect(await query(event('getOutcome', { id: 'flow-1', commandId: 'never-sent' }), lambdaContext)).toEqual({
      streamId: 'flow-1',
      commandId: 'never-sent',
      status: 'PENDING',
    });
    expect(await query(event('getOutcome', { id: 'flow-9', commandId: 'cmd-1' }), lambdaContext)).toMatchObject({
      status: 'REJECTED',
      error: { code: 'COMMAND_ID_REUSED' },
    });
  });

  it('fails with a message naming a missing environment variable, shown to the client as an internal error', async () => {
    expect(() => readConfig({}).required('EVENTS_TABLE_NAME')).toThrow(
      'environment variable EVENTS_TABLE_NAME is not set',
    );
    const broken = createCommandHandler({
      aggregate: 'counter',
      decider,
      config: () => readConfig({}),
      parse: () => ({ streamId: 'x', command: { type: 'Add', data: { amount: 1 } } as CounterCommand }),
      adapters: (config) => ({
        store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
        publisher: { publish: async () => {}, renotify: async () => {} },
        deadlineMs: 1,
      }),
    });
    await expect(broken(mutation({ id: 'x', amount: 1 }), lambdaContext)).rejects.toMatchObject({
      name: 'InternalError',
      message: 'internal error (request req-1)',
    });
  });
});
