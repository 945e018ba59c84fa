/**
 * Drives the reservation commands as a front-end server does (AWS's AppSync links, IAM): subscribes to
 * `onReservationSaved(commandId)` and waits for AppSync's acknowledgement before it sends, and records
 * what the answer contract's checker needs: what was sent and answered, every notification received,
 * every outcome read back. `checkLocalCore` runs the checker over that and the local core's tables.
 */
import { gql } from '@apollo/client';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { LocalCore } from '@core/local';
import { reservationDecider, toReservation, type ReservationState } from '@core/reservation';
import {
  checkAnswerContract,
  readEventTable,
  type ContractReport,
  type ObservedOutcome,
  type SentCommand,
  type StoreContents,
} from '@core/runtime/testing';
import { appSyncClientFor, subscribeWithReady, type Endpoint } from '../../scripts/front-end-client';

const OUTCOME_FIELDS = `id commandId fingerprint status version error { code message }`;
const ON_SAVED = gql`
  subscription OnSaved($commandId: ID) {
    onReservationSaved(commandId: $commandId) { ${OUTCOME_FIELDS} }
  }
`;
const CREATE = gql`
  mutation Create($input: CreateReservationInput!) {
    createReservation(input: $input) {
      id
      commandId
      fingerprint
      deadline
    }
  }
`;
const CANCEL = gql`
  mutation Cancel($input: CancelReservationInput!) {
    cancelReservation(input: $input) {
      id
      commandId
      fingerprint
      deadline
    }
  }
`;
const OUTCOME = gql`
  query Outcome($id: ID!, $commandId: ID!) {
    getReservationCommandOutcome(id: $id, commandId: $commandId) { ${OUTCOME_FIELDS} }
  }
`;
const GET = gql`
  query Get($id: ID!) {
    getReservationById(id: $id) {
      id
      userId
      roomId
      dateStart
      dateEnd
      status
      version
      cancellationReason
      rejectionReason
      totalPrice
      currency
    }
  }
`;

interface Notification {
  id: string;
  commandId: string;
  fingerprint: string | null;
  status: 'STORED' | 'REJECTED' | 'PENDING';
  version: number | null;
  error: { code: string; message: string } | null;
}

export type Answer = SentCommand['answer'] & { readonly streamId?: string };

export const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export function createReservationInput(n: number): Record<string, string> {
  return { userId: `guest-${n}`, roomId: `room-${n % 50}`, dateStart: day(10 + (n % 20)), dateEnd: day(12 + (n % 20)) };
}

const REGISTER_CUSTOMER = gql`
  mutation ($input: RegisterCustomerInput!) {
    registerCustomer(input: $input) {
      id
    }
  }
`;
const REGISTER_ROOM = gql`
  mutation ($input: RegisterRoomInput!) {
    registerRoom(input: $input) {
      id
    }
  }
`;

export class ContractDriver {
  readonly commands: SentCommand[] = [];
  readonly notifications: ObservedOutcome[] = [];
  readonly outcomes: ObservedOutcome[] = [];
  readonly queried: { streamId: string; state: unknown }[] = [];
  private readonly client;
  private readonly subscriptions: { unsubscribe(): void }[] = [];
  private readonly watching = new Set<string>();
  private readonly waiters: (() => void)[] = [];

  /** Signs with the front-end server's IAM principal, acting for an admin: it cancels any guest's reservation. */
  constructor(endpoint: Endpoint) {
    this.client = appSyncClientFor(endpoint, { userId: 'contract-driver', roles: ['admin'] });
  }

  /** createReservation, after its subscription is acknowledged. */
  create(input: Record<string, unknown>, commandId: string = randomUUID()): Promise<Answer> {
    return this.send(CREATE, 'createReservation', { ...input, commandId }, commandId);
  }

  /**
   * A reservation input for a registered guest with credit and a registered room: the saga confirms
   * such a reservation, so it can be cancelled (one of an unknown guest is rejected by the saga, and a
   * rejected reservation cannot be). Wait for the core to be idle before creating it, and after.
   */
  async bookableInput(n: number): Promise<Record<string, string>> {
    const email = `guest-${n}-${randomUUID()}@example.com`;
    const customer = { email, name: 'Guest', creditLimit: 10_000_000, currency: 'EUR' };
    const room = { name: `Room ${n}`, nightlyPrice: 10_000, currency: 'EUR' };
    const [registered, built] = await Promise.all([
      this.client.mutate({ mutation: REGISTER_CUSTOMER, variables: { input: customer }, fetchPolicy: 'no-cache' }),
      this.client.mutate({ mutation: REGISTER_ROOM, variables: { input: room }, fetchPolicy: 'no-cache' }),
    ]);
    const idOf = (data: unknown) => (Object.values(data as object)[0] as { id: string }).id;
    return { ...createReservationInput(n), userId: idOf(registered.data), roomId: idOf(built.data) };
  }

  cancel(id: string, commandId: string = randomUUID(), reason = 'changed plans'): Promise<Answer> {
    return this.send(CANCEL, 'cancelReservation', { id, reason, commandId }, commandId);
  }

  /** Subscribes for the command id (once), then sends; the answer, accepted or refused, is recorded. */
  async send(
    mutation: typeof CREATE,
    field: string,
    input: Record<string, unknown>,
    commandId: string,
  ): Promise<Answer> {
    let answer: Answer;
    try {
      await this.watch(commandId);
    } catch (error) {
      answer = { accepted: false, errorType: 'SubscriptionFailed', message: JSON.stringify(error).slice(0, 200) };
      this.commands.push({ commandId, answer });
      return answer;
    }
    try {
      const result = await this.client.mutate({ mutation, variables: { input }, fetchPolicy: 'no-cache' });
      const accepted = (result.data as Record<string, { id: string; fingerprint: string; deadline: string }>)[field];
      if (accepted === undefined) throw new Error(`no ${field} in the answer`);
      answer = {
        accepted: true,
        streamId: accepted.id,
        fingerprint: accepted.fingerprint,
        deadline: accepted.deadline,
      };
    } catch (error) {
      const first = (error as { errors?: { errorType?: string; message?: string }[] }).errors?.[0];
      answer = { accepted: false, errorType: first?.errorType ?? 'Error', message: first?.message ?? String(error) };
    }
    this.commands.push({ commandId, answer });
    return answer;
  }

  /** The notifications received for a command id (any fingerprint). */
  notified(commandId: string): ObservedOutcome[] {
    return this.notifications.filter((notification) => notification.commandId === commandId);
  }

  /** Waits until `count` notifications of the command id came (or `timeoutMs` passed, then throws). */
  async waitForNotifications(commandId: string, count = 1, timeoutMs = 20_000): Promise<ObservedOutcome[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.notified(commandId).length < count) {
      if (Date.now() > deadline)
        throw new Error(`${this.notified(commandId).length} of ${count} notification(s) of ${commandId} came`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100).unref();
      });
    }
    return this.notified(commandId);
  }

  /** Reads the outcome query (and records the answer). */
  async readOutcome(streamId: string, commandId: string): Promise<ObservedOutcome> {
    const result = await this.client.query({
      query: OUTCOME,
      variables: { id: streamId, commandId },
      fetchPolicy: 'no-cache',
    });
    const outcome = toObserved(
      (result.data as { getReservationCommandOutcome: Notification }).getReservationCommandOutcome,
    );
    this.outcomes.push(outcome);
    return outcome;
  }

  /** Reads a reservation's state (and records it for the fold check). */
  async readReservation(streamId: string): Promise<unknown> {
    const result = await this.client.query({ query: GET, variables: { id: streamId }, fetchPolicy: 'no-cache' });
    const answer = (result.data as { getReservationById: Record<string, unknown> | null }).getReservationById;
    const { __typename: _typename, ...state } = answer ?? {};
    this.queried.push({ streamId, state: answer === null ? null : state });
    return answer === null ? null : state;
  }

  close(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    this.client.stop();
  }

  /** Subscribes to the command id's outcomes (once) and resolves when AppSync acknowledged it. */
  watch(commandId: string): Promise<void> {
    if (this.watching.has(commandId)) return Promise.resolve();
    this.watching.add(commandId);
    return new Promise((resolve, reject) => {
      const subscription = subscribeWithReady(
        this.client,
        { query: ON_SAVED, variables: { commandId } },
        {
          onReady: resolve,
          onData: (data) => {
            this.notifications.push(toObserved(data['onReservationSaved'] as Notification));
            for (const wake of this.waiters.splice(0)) wake();
          },
          onError: reject,
        },
      );
      this.subscriptions.push(subscription);
    });
  }
}

function toObserved(notification: Notification): ObservedOutcome {
  return {
    streamId: notification.id,
    commandId: notification.commandId,
    fingerprint: notification.fingerprint,
    status: notification.status,
    version: notification.version,
    code: notification.error?.code ?? null,
    at: Date.now(),
  };
}

/** An aggregate's event table (by default `Reservation/Events`: the driver sends reservation commands), read whole. */
export async function readStores(core: LocalCore, tablePath = 'Reservation/Events'): Promise<StoreContents> {
  const client = new DynamoDBClient({
    endpoint: core.dynamoDbEndpoint,
    region: core.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const tables = [...core.tables].filter(([path]) => path.endsWith(tablePath)).map(([, name]) => name);
    const stores = await Promise.all(tables.map((name) => readEventTable(client, name)));
    return { commits: stores.flatMap((s) => s.commits), records: stores.flatMap((s) => s.records) };
  } finally {
    client.destroy();
  }
}

/**
 * The answer contract over what the drivers saw and what the core's tables hold, once the core is idle
 * (a table is read by a scan, which is no snapshot: the saga's writes must be over).
 */
export async function checkLocalCore(
  core: LocalCore,
  drivers: readonly ContractDriver[],
  options: { graceMs?: number; requireFinal?: boolean } = {},
): Promise<ContractReport> {
  await core.idle();
  return checkAnswerContract(
    {
      commands: drivers.flatMap((driver) => driver.commands),
      notifications: drivers.flatMap((driver) => driver.notifications),
      outcomes: drivers.flatMap((driver) => driver.outcomes),
      queried: drivers.flatMap((driver) => driver.queried),
      store: await readStores(core),
    },
    {
      reducer: reservationDecider,
      toView: (state: ReservationState, version: number) => toReservation(state, version),
      ...options,
    },
  );
}
