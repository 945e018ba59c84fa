/**
 * The runtime ↔ local contract, end to end on its two sides: the runtime's real handlers (command and
 * event handler factories, with the DynamoDB event store on dynalite, the EventBridge publisher and the
 * AppSync notifier) print their log lines and send their payloads; the local core's journey reads them.
 * Renaming a log field, a step, an outcome, or the place a payload carries its correlation or command
 * id on one side and not the other fails here, before the run command's journey goes quiet.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BusinessRuleViolationError, readConfig, type Decider, type FinalOutcome } from '@core/runtime';
import { createAppSyncNotifier } from '@core/runtime/appsync';
import type { NotificationVariables } from '@core/runtime/contract';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventBridgePublisher } from '@core/runtime/eventbridge';
import { createCommandHandler, createEventHandlers, type AppSyncResolverEvent } from '@core/runtime/handlers';
import { createEventsTable, startCapturingBus, startCapturingGraphQL, startDynalite } from '@core/runtime/testing';
import { createJourney } from '../src/boot/journey';
import { createJourneyProbes } from '../src/boot/journey-probes';

type Command = { type: 'Add'; data: { amount: number } };
type Event = { type: 'Added'; data: { amount: number } };
type State = { total: number };

/** A counter that refuses to go below zero. */
const decider: Decider<Command, Event, State> = {
  initialState: { total: 0 },
  reducerVersion: 1,
  decide: (command, state) => {
    if (state.total + command.data.amount < 0) throw new BusinessRuleViolationError('BELOW_ZERO', 'not below zero');
    return [{ type: 'Added', data: command.data }];
  },
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
};

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let bus: Awaited<ReturnType<typeof startCapturingBus>>;
let appsync: Awaited<ReturnType<typeof startCapturingGraphQL>>;
const env = () => ({ EVENTS_TABLE_NAME: 'contract-events', GRAPHQL_URL: appsync.url, AWS_REGION: 'us-east-1' });

const commandHandler = () =>
  createCommandHandler({
    aggregate: 'counter',
    decider,
    config: () => readConfig(env()),
    parse: (_field, args) => {
      const input = args.input as { id: string; amount: number };
      return { streamId: input.id, command: { type: 'Add' as const, data: { amount: input.amount } } };
    },
    adapters: (config) => ({
      store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME'), client: dynamo.client }),
      publisher: createEventBridgePublisher({
        eventBusName: 'core',
        source: 'core.counter',
        client: new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials }),
      }),
      deadlineMs: 10_000,
    }),
  });

const eventHandler = () =>
  createEventHandlers({
    aggregate: 'counter',
    reducer: decider,
    config: () => readConfig(env()),
    toNotification: (outcome: FinalOutcome<State>) =>
      ({
        input: { id: outcome.streamId, commandId: outcome.commandId, status: outcome.status },
      }) satisfies NotificationVariables,
    adapters: (config) => ({
      store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME'), client: dynamo.client }),
      notifier: createAppSyncNotifier({
        url: config.required('GRAPHQL_URL'),
        region: 'us-east-1',
        mutation: 'mutation CounterSaved($input: CounterSavedInput!) { counterSaved(input: $input) { id } }',
        credentials: async () => credentials,
      }),
    }),
  });

const add = (id: string, amount: number, commandId: string): AppSyncResolverEvent => ({
  arguments: { input: { id, amount, commandId } },
  identity: { userArn: 'arn:aws:iam::000000000000:role/front-end' },
  info: { fieldName: 'add', parentTypeName: 'Mutation' },
  request: { headers: { 'x-correlation-id': `corr-${commandId}` } },
});

/** Everything the runtime's handlers print, line by line, as a function's output reaches the local core. */
const printed: string[] = [];
/** What the journey writes. */
const written: string[] = [];
const journey = createJourney((line) => written.push(line));
const probes = createJourneyProbes(journey);

/** The journey lines of one correlation id: step, text, and whether a duration was shown. */
function linesOf(correlationId: string): [string, string, boolean][] {
  return written.flatMap((line) => {
    const match = /^\d\d:\d\d:\d\d\.\d{3} {2}(\S+) +(\S+) +(.*?)( {2}\d+ ms)?$/.exec(line);
    return match?.[1] === correlationId ? [[match[2] ?? '', match[3] ?? '', match[4] !== undefined]] : [];
  });
}

/** Runs `handler`, then shows the journey what it printed, as the function named `fn`. */
async function asFunction(fn: string, handler: () => Promise<unknown>): Promise<void> {
  const from = printed.length;
  await handler().catch(() => undefined);
  for (const line of printed.slice(from)) journey.functionLine(fn, line);
}

/** What the local core sees of a command: its PutEvents, the rule delivery, the event handler, the notification. */
async function deliverCommits(busFrom: number): Promise<void> {
  for (const entries of bus.requests.slice(busFrom)) {
    probes.putEvents(Buffer.from(JSON.stringify({ Entries: entries })));
    for (const entry of entries) {
      const event = {
        id: 'e-1',
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail),
      };
      const correlationId = probes.correlationOf(event, {
        ruleName: 'OnCommit',
        ruleArn: 'arn',
        eventId: event.id,
        event: { ...event, version: '0', account: '000000000000', time: '', region: 'us-east-1', resources: [] },
      });
      probes.delivered(correlationId, 'OnCommit → Counter/EventHandler (async)', true);
      const notified = appsync.requests.length;
      await asFunction('Counter/EventHandler', () => eventHandler().handler(event));
      for (const request of appsync.requests.slice(notified)) {
        await probes.graphql(Buffer.from(request.body), async () => undefined);
      }
    }
  }
}

/** One command, from the command handler to the notification. */
async function journeyOf(id: string, amount: number, commandId: string): Promise<void> {
  const busFrom = bus.requests.length;
  await asFunction('Counter/CommandHandler', () => commandHandler()(add(id, amount, commandId), { awsRequestId: 'r' }));
  await deliverCommits(busFrom);
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await createEventsTable(dynamo.client, 'contract-events');
  bus = await startCapturingBus();
  appsync = await startCapturingGraphQL();
});
afterAll(async () => {
  await Promise.all([dynamo.close(), bus.close(), appsync.close()]);
});
beforeEach(() => {
  const capture = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  jest.spyOn(console, 'log').mockImplementation(capture);
  jest.spyOn(console, 'error').mockImplementation(capture);
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe("the runtime's log lines and payloads, read by the local journey", () => {
  it('shows every step of an accepted command under the correlation id it came with, timed', async () => {
    await journeyOf('c-1', 5, 'k-1');

    expect(linesOf('corr-k-1')).toEqual([
      ['command', 'Counter/CommandHandler: add accepted c-1 v1', true],
      ['bus', 'PutEvents core.counter Commit', false],
      ['rule', 'OnCommit → Counter/EventHandler (async)', true],
      ['store', 'Counter/EventHandler: stored c-1 v1', true],
      ['notify', 'Counter/EventHandler: STORED', true],
      ['fan-out', 'counterSaved STORED → 0 subscription(s)', true],
    ]);
  });

  it('shows a refused command with the code the client got, and nothing after it', async () => {
    await journeyOf('c-2', -1, 'k-2');

    expect(linesOf('corr-k-2')).toEqual([['command', 'Counter/CommandHandler: add refused: BELOW_ZERO', false]]);
  });

  it('shows a command already stored as replayed', async () => {
    await journeyOf('c-3', 1, 'k-3');
    await journeyOf('c-3', 1, 'k-3');

    expect(linesOf('corr-k-3').filter(([step]) => step === 'command')).toEqual([
      ['command', 'Counter/CommandHandler: add accepted c-3 v1', true],
      ['command', 'Counter/CommandHandler: add replayed c-3', false],
    ]);
  });

  it('shows the losing commit of a race as a conflict, notified REJECTED', async () => {
    const busFrom = bus.requests.length;
    await asFunction('Counter/CommandHandler', () => commandHandler()(add('c-4', 1, 'k-4a'), { awsRequestId: 'r' }));
    await asFunction('Counter/CommandHandler', () => commandHandler()(add('c-4', 1, 'k-4b'), { awsRequestId: 'r' }));
    await deliverCommits(busFrom);

    expect(linesOf('corr-k-4b')).toEqual([
      ['command', 'Counter/CommandHandler: add accepted c-4 v1', true],
      ['bus', 'PutEvents core.counter Commit', false],
      ['rule', 'OnCommit → Counter/EventHandler (async)', true],
      ['store', 'Counter/EventHandler: conflict c-4', true],
      ['notify', 'Counter/EventHandler: REJECTED', true],
      ['fan-out', 'counterSaved REJECTED → 0 subscription(s)', true],
    ]);
  });
});
