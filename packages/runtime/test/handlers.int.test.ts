import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { createAppSyncNotifier } from '../src/appsync';
import { createDynamoDbEventStore } from '../src/dynamodb';
import { createEventBridgePublisher } from '../src/eventbridge';
import {
  createCommandHandler,
  createEventHandler,
  createQueryHandler,
  type AppSyncResolverEvent,
} from '../src/handlers';
import { readConfig, type CommitOutcome } from '../src/index';
import { startCapturingBus, startCapturingGraphQL } from '../src/testing';
import { counterDecider, type CounterCommand, type CounterState } from './support/counter';
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

const command = () =>
  createCommandHandler<CounterCommand, ReturnType<typeof decider.decide>[number], CounterState>({
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

const eventHandler = createEventHandler({
  reducer: decider,
  clock: () => now,
  config: () => readConfig(env()),
  toNotification: (outcome: CommitOutcome<CounterState>) => ({
    input: {
      id: outcome.commit.streamId,
      commandId: outcome.commit.commitId,
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

/** Delivers what the bus captured since `from` to the event handler, as a bus rule would. */
async function deliver(from: number): Promise<CommitOutcome<CounterState>[]> {
  const outcomes = [];
  for (const entry of bus.accepted.slice(from)) {
    outcomes.push(
      await eventHandler({
        id: 'e',
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail),
      }),
    );
  }
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

describe('command → publish → store → notify', () => {
  it('accepts, publishes, stores and notifies STORED with the state', async () => {
    const answer = await command()(mutation({ id: 'flow-1', amount: 5, commandId: 'cmd-1' }), lambdaContext);
    expect(answer).toEqual({ id: 'flow-1', commandId: 'cmd-1' });
    const published = JSON.parse(bus.accepted.at(-1)?.Detail ?? '{}');
    expect(published).toMatchObject({
      streamId: 'flow-1',
      commitId: 'cmd-1',
      correlationId: 'corr-1',
      expectedVersion: 0,
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
      status: 'STORED',
      total: 5,
      errorCode: null,
    });
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
    await expect(command()(mutation({ id: 'flow-1', amount: -50 }), lambdaContext)).rejects.toMatchObject({
      name: 'BusinessRuleViolation',
      message: expect.stringMatching(/^BELOW_ZERO: /),
    });
    expect(bus.accepted).toHaveLength(before);
  });

  it('lets only one of two commands decided on the same version win; the other is REJECTED with CONFLICT', async () => {
    const before = bus.accepted.length;
    await command()(mutation({ id: 'flow-2', amount: 1, commandId: 'race-a' }), lambdaContext);
    await command()(mutation({ id: 'flow-2', amount: 2, commandId: 'race-b' }), lambdaContext);
    const outcomes = await deliver(before);
    expect(outcomes.map((o) => o.status)).toEqual(['STORED', 'REJECTED']);
    expect(outcomes[1]).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(notifications().at(-1)).toMatchObject({ commandId: 'race-b', status: 'REJECTED', errorCode: 'CONFLICT' });
  });

  it('stores a repeated delivery once and notifies the same STORED outcome again', async () => {
    const before = bus.accepted.length;
    await command()(mutation({ id: 'flow-3', amount: 7, commandId: 'dup-1' }), lambdaContext);
    const [first] = await deliver(before);
    const [second] = await deliver(before);
    expect(first).toMatchObject({ status: 'STORED', version: 1 });
    expect(second).toMatchObject({ status: 'STORED', version: 1, state: { total: 7 } });
    const store = createDynamoDbEventStore({ tableName: 'counter-events', client: dynamo.client });
    expect((await store.load('flow-3', decider)).version).toBe(1);
  });

  it('answers a retried command id that is already stored without publishing again', async () => {
    const before = bus.accepted.length;
    const again = await command()(mutation({ id: 'flow-3', amount: 7, commandId: 'dup-1' }), lambdaContext);
    expect(again).toEqual({ id: 'flow-3', commandId: 'dup-1' });
    expect(bus.accepted).toHaveLength(before);
  });

  it('never stores an event after its deadline and notifies REJECTED with TIMEOUT', async () => {
    const before = bus.accepted.length;
    await command()(mutation({ id: 'flow-4', amount: 1, commandId: 'late-1' }), lambdaContext);
    now = new Date(now.getTime() + 10_001);
    try {
      const [outcome] = await deliver(before);
      expect(outcome).toMatchObject({ status: 'REJECTED', error: { code: 'TIMEOUT' } });
      expect(notifications().at(-1)).toMatchObject({ commandId: 'late-1', status: 'REJECTED', errorCode: 'TIMEOUT' });
      const store = createDynamoDbEventStore({ tableName: 'counter-events', client: dynamo.client });
      expect((await store.load('flow-4', decider)).version).toBe(0);
    } finally {
      now = new Date('2026-11-28T10:00:00Z');
    }
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
      message: expect.stringContaining('Unauthorized'),
    });
    await refusing.close();
  });

  it('answers a query from the state kept with the newest commit', async () => {
    const query = createQueryHandler({
      reducer: decider,
      config: () => readConfig(env()),
      queries: {
        getCounter: async (args, load) => {
          const { state, version } = await load(String(args.id));
          return version === 0 ? null : { ...state, version };
        },
      },
      adapters: (config) => ({
        store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME'), client: dynamo.client }),
      }),
    });
    const event = (id: string): AppSyncResolverEvent => ({
      arguments: { id },
      identity: null,
      info: { fieldName: 'getCounter', parentTypeName: 'Query' },
    });
    expect(await query(event('flow-1'), lambdaContext)).toEqual({ total: 5, count: 1, version: 1 });
    expect(await query(event('nobody'), lambdaContext)).toBeNull();
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
        publisher: { publish: async () => {} },
        deadlineMs: 1,
      }),
    });
    await expect(broken(mutation({ id: 'x', amount: 1 }), lambdaContext)).rejects.toMatchObject({
      name: 'InternalError',
      message: 'internal error (request req-1)',
    });
  });
});
