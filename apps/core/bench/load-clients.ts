/**
 * The load benchmark's 32 front-end clients, in a process of their own as front-end servers are (the
 * local core's main thread then serves requests only): forked by bench/load.ts, told the core's
 * endpoint, they register the hotel, wait for the core to be idle, drive the load and send back what
 * they sent, were answered and were notified. See bench/load.ts for the workload.
 */
import type { ObservedOutcome, SentCommand } from '@core/runtime/testing';
import { performance } from 'node:perf_hooks';
import { createReservationInput } from '../test/support/contract-driver';
import { RealtimeClient, type ApiKeyEndpoint } from './realtime-client';
import { signingFetch, type Endpoint } from '../scripts/front-end-client';

export const AGGREGATES = 200;
export const CANCELS_PER_AGGREGATE = 9;
export const CLIENTS = 32;
export const NOTIFY_TIMEOUT_MS = 30_000;

const FIELDS = 'id commandId fingerprint status version error { code }';
const ACCEPTED = 'id commandId fingerprint deadline';
/** Per command field: its mutation document, and the aggregate whose subscription notifies it. */
const MUTATIONS = {
  createReservation: {
    aggregate: 'reservation',
    document: `mutation Create($input: CreateReservationInput!) { createReservation(input: $input) { ${ACCEPTED} } }`,
  },
  cancelReservation: {
    aggregate: 'reservation',
    document: `mutation Cancel($input: CancelReservationInput!) { cancelReservation(input: $input) { ${ACCEPTED} } }`,
  },
  registerRoom: {
    aggregate: 'room',
    document: `mutation Register($input: RegisterRoomInput!) { registerRoom(input: $input) { ${ACCEPTED} } }`,
  },
} as const;
/** Per aggregate: the subscription to one command's outcome, and the outcome query. */
export const AGGREGATE_DOCUMENTS = {
  reservation: {
    field: 'onReservationSaved',
    subscription: `subscription OnSaved($commandId: ID) { onReservationSaved(commandId: $commandId) { ${FIELDS} } }`,
    outcomeField: 'getReservationCommandOutcome',
    outcome: `query Outcome($id: ID!, $commandId: ID!) { getReservationCommandOutcome(id: $id, commandId: $commandId) { ${FIELDS} } }`,
  },
  room: {
    field: 'onRoomSaved',
    subscription: `subscription OnSaved($commandId: ID) { onRoomSaved(commandId: $commandId) { ${FIELDS} } }`,
    outcomeField: 'getRoomCommandOutcome',
    outcome: `query Outcome($id: ID!, $commandId: ID!) { getRoomCommandOutcome(id: $id, commandId: $commandId) { ${FIELDS} } }`,
  },
} as const;

/**
 * What the clients send: `hotel` (reservations for registered guests and rooms, created, then cancelled
 * nine times each, the saga deciding meanwhile) or `rooms` (registerRoom only: one aggregate, no saga).
 */
export type Workload = 'hotel' | 'rooms';
/** Room registrations in the `rooms` workload. */
export const ROOM_COMMANDS = 2_000;

/** What the clients need of the core: its URLs, API key, region and the front-end server's credentials. */
export type LoadEndpoint = ApiKeyEndpoint & Endpoint;

interface Job {
  readonly field: keyof typeof MUTATIONS;
  readonly commandId: string;
  readonly input: Record<string, unknown>;
  /** Sent again once its outcome came. */
  readonly retry: boolean;
}

export interface Observed {
  readonly commands: SentCommand[];
  readonly notifications: ObservedOutcome[];
  readonly accepted: number[];
  readonly notified: number[];
  clientRetries: number;
  deliberateRetries: number;
  recoveredByQuery: number;
}

/** Messages between bench/load.ts (the parent) and this process. */
export type ToClients = { type: 'drive'; endpoint: LoadEndpoint; workload: Workload } | { type: 'idle' };
export type FromClients = { type: 'idle?' } | { type: 'done'; elapsedMs: number; observed: Observed };

export type Notification = {
  id: string;
  commandId: string;
  fingerprint: string | null;
  status: ObservedOutcome['status'];
  version: number | null;
  error: { code: string } | null;
};

export const toObserved = (n: Notification): ObservedOutcome => ({
  streamId: n.id,
  commandId: n.commandId,
  fingerprint: n.fingerprint,
  status: n.status,
  version: n.version,
  code: n.error?.code ?? null,
  at: Date.now(),
});

/** Sends one command as a front-end server does: subscribe, wait for the ack, send, wait for the outcome. */
async function runJob(client: RealtimeClient, job: Job, observed: Observed): Promise<string | undefined> {
  const outcomes: ObservedOutcome[] = [];
  let wake = () => undefined as void;
  const { subscription: document, field } = AGGREGATE_DOCUMENTS[MUTATIONS[job.field].aggregate];
  const subscription = await client.subscribe(document, { commandId: job.commandId }, (data) => {
    const outcome = toObserved(data[field] as Notification);
    outcomes.push(outcome);
    observed.notifications.push(outcome);
    wake();
  });
  const waitForOutcome = (count: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), NOTIFY_TIMEOUT_MS);
      wake = () => outcomes.length >= count && (clearTimeout(timer), resolve(true));
      wake();
    });
  let streamId: string | undefined;
  for (let send = 0; send < (job.retry ? 2 : 1); send++) {
    const started = performance.now();
    const answer = await sendWithRetries(client, job, observed);
    if (send === 1) observed.deliberateRetries += 1;
    if (!answer.accepted) break;
    streamId = answer.streamId;
    if (send === 0) observed.accepted.push(performance.now() - started);
    const came = await waitForOutcome(send + 1);
    if (send === 0 && came) observed.notified.push(performance.now() - started);
    if (!came) observed.recoveredByQuery += 1; // read back at the end like every accepted command
  }
  client.stop(subscription);
  return streamId;
}

/** A command answered by a transport or internal error is sent again with the same command id (at most 3 times). */
async function sendWithRetries(client: RealtimeClient, job: Job, observed: Observed): Promise<SentCommand['answer']> {
  for (let attempt = 1; ; attempt++) {
    let answer: SentCommand['answer'];
    try {
      const result = await client.request(MUTATIONS[job.field].document, {
        input: { ...job.input, commandId: job.commandId },
      });
      const accepted = result.data?.[job.field] as { id: string; fingerprint: string; deadline: string } | undefined;
      answer = accepted
        ? { accepted: true, streamId: accepted.id, fingerprint: accepted.fingerprint, deadline: accepted.deadline }
        : {
            accepted: false,
            errorType: result.errors?.[0]?.errorType ?? 'Error',
            message: result.errors?.[0]?.message ?? '',
          };
    } catch (error) {
      answer = { accepted: false, errorType: 'TransportError', message: String(error) };
    }
    const transient =
      !answer.accepted && (answer.errorType === 'InternalError' || answer.errorType === 'TransportError');
    if (!transient || attempt === 3) {
      observed.commands.push({ commandId: job.commandId, answer });
      return answer;
    }
    observed.clientRetries += 1;
  }
}

const REGISTER_CUSTOMER = `mutation Register($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }`;
const REGISTER_ROOM = `mutation Room($input: RegisterRoomInput!) { registerRoom(input: $input) { id } }`;

/**
 * A guest with credit and a room of its own for each reservation (not timed): the saga confirms them,
 * so that the cancels that follow race for a live reservation, and their compensations run.
 */
async function registerHotel(
  clients: readonly RealtimeClient[],
  idle: () => Promise<void>,
): Promise<{ userId: string; roomId: string }[]> {
  const idOf = (answer: { data?: Record<string, unknown> | null }) =>
    (Object.values(answer.data ?? {})[0] as { id: string } | undefined)?.id ?? '';
  const hotel: { userId: string; roomId: string }[] = [];
  await Promise.all(
    clients.map(async (client, c) => {
      for (let n = c; n < AGGREGATES; n += clients.length) {
        const customer = {
          email: `load-${n}-${Date.now()}@bench.example`,
          name: `Guest ${n}`,
          creditLimit: 10_000_000,
          currency: 'EUR',
        };
        const room = { name: `Room ${n}`, nightlyPrice: 10_000, currency: 'EUR' };
        const userId = idOf(await client.request(REGISTER_CUSTOMER, { input: customer }));
        const roomId = idOf(await client.request(REGISTER_ROOM, { input: room }));
        hotel[n] = { userId, roomId };
      }
    }),
  );
  await idle();
  return hotel;
}

/** Opens the 32 clients: mutations signed as an admin operator (only a reservation's user or an admin may cancel it). */
async function connectClients(endpoint: LoadEndpoint): Promise<RealtimeClient[]> {
  const asOperator = signingFetch(endpoint, { 'x-core-user': 'load-operator', 'x-core-user-roles': 'admin' });
  const clients = Array.from({ length: CLIENTS }, () => new RealtimeClient(endpoint, asOperator));
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

/** 2,000 registerRoom, each client working through its own list in order; every 20th sent again. */
async function driveRooms(endpoint: LoadEndpoint, observed: Observed): Promise<number> {
  const clients = await connectClients(endpoint);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let n = c; n < ROOM_COMMANDS; n += CLIENTS) {
        const input = { name: `Room ${n}`, nightlyPrice: 10_000, currency: 'EUR' };
        await runJob(
          client,
          { field: 'registerRoom', commandId: `load-room-${n}`, input, retry: n % 20 === 0 },
          observed,
        );
      }
    }),
  );
  const elapsed = performance.now() - started;
  for (const client of clients) client.close();
  return elapsed;
}

/** The hotel: 200 creates, then nine cancels per reservation, each client working through its own list in order. */
async function drive(endpoint: LoadEndpoint, observed: Observed, idle: () => Promise<void>): Promise<number> {
  const clients = await connectClients(endpoint);
  const hotel = await registerHotel(clients, idle);
  const started = performance.now();
  const streams: string[] = [];
  const creates: Job[][] = clients.map(() => []);
  for (let n = 0; n < AGGREGATES; n++)
    creates[n % CLIENTS]?.push({
      field: 'createReservation',
      commandId: `load-create-${n}`,
      input: { ...createReservationInput(n), ...hotel[n] },
      retry: n % 20 === 0,
    });
  await Promise.all(
    clients.map(async (client, c) => {
      for (const job of creates[c] ?? []) {
        const streamId = await runJob(client, job, observed);
        if (streamId !== undefined) streams[Number(job.commandId.split('-').at(-1))] = streamId;
      }
    }),
  );
  const cancels: Job[][] = clients.map(() => []);
  streams.forEach((id, a) => {
    for (let k = 0; k < CANCELS_PER_AGGREGATE; k++)
      cancels[(a * CANCELS_PER_AGGREGATE + k) % CLIENTS]?.push({
        field: 'cancelReservation',
        commandId: `load-cancel-${a}-${k}`,
        input: { id, reason: `k${k}` },
        retry: (a * CANCELS_PER_AGGREGATE + k) % 20 === 0,
      });
  });
  await Promise.all(
    clients.map(async (client, c) => {
      for (const job of cancels[c] ?? []) await runJob(client, job, observed);
    }),
  );
  const elapsed = performance.now() - started;
  for (const client of clients) client.close();
  return elapsed;
}

/** Asks the parent to wait until the core is idle. */
function parentIdle(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ToClients) => {
      if (message.type !== 'idle') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send?.({ type: 'idle?' } satisfies FromClients);
  });
}

function serveParent(): void {
  process.once('message', (message: ToClients) => {
    if (message.type === 'drive') void driveForParent(message.endpoint, message.workload);
  });
}

async function driveForParent(endpoint: LoadEndpoint, workload: Workload): Promise<void> {
  const observed: Observed = {
    commands: [],
    notifications: [],
    accepted: [],
    notified: [],
    clientRetries: 0,
    deliberateRetries: 0,
    recoveredByQuery: 0,
  };
  try {
    const elapsedMs =
      workload === 'rooms' ? await driveRooms(endpoint, observed) : await drive(endpoint, observed, parentIdle);
    process.send?.({ type: 'done', elapsedMs, observed } satisfies FromClients, () => process.exit(0));
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}

if (require.main === module) serveParent();
