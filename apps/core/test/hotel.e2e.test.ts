/**
 * The hotel journey through the local core's API, booted from the synthesized app (cdk.out): the
 * reservation saga that runs is the state machine the CDK synthesized, its steps commands to the
 * customer, room and payment aggregates, each done when that aggregate's event is stored. Driven
 * as a front-end server drives it, with AWS's AppSync client links and IAM.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { gql, type ApolloClient } from '@apollo/client';
import { bootLocalCore, type LocalCore } from '@core/local';
import { READ_MODEL_KEYS, rebuildReservationsByUser, reservationsByUser } from '@core/reservation/read-model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appSyncClient, appSyncClientFor, iamAuth } from '../scripts/front-end-client';
import { LOCAL_STACK } from '../scripts/local-stack';

// The subscription link arms a 15 s timer per connection and never clears it; unref'd, Jest can exit.
const armTimer = globalThis.setTimeout;
Object.assign(globalThis, { setTimeout: (...args: Parameters<typeof setTimeout>) => armTimer(...args).unref() });

const assemblyDir = join(__dirname, '..', 'cdk.out');
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const ACCEPTED = 'id commandId';
const RESERVATION = 'id userId roomId dateStart dateEnd status version rejectionReason totalPrice currency';
const ACCOUNT = 'id customerId creditLimit currency authorized captured refunded available';
const Q = {
  registerCustomer: gql`mutation ($input: RegisterCustomerInput!) { registerCustomer(input: $input) { ${ACCEPTED} } }`,
  openAccount: gql`mutation ($input: OpenPaymentAccountInput!) { openPaymentAccount(input: $input) { ${ACCEPTED} } }`,
  registerRoom: gql`mutation ($input: RegisterRoomInput!) { registerRoom(input: $input) { ${ACCEPTED} } }`,
  reserve: gql`mutation ($input: CreateReservationInput!) { createReservation(input: $input) { ${ACCEPTED} } }`,
  cancel: gql`mutation ($input: CancelReservationInput!) { cancelReservation(input: $input) { ${ACCEPTED} } }`,
  reservation: gql`query ($id: ID!) { getReservationById(id: $id) { ${RESERVATION} } }`,
  byUser: gql`query ($userId: ID!) { listReservationsByUser(userId: $userId) { ${RESERVATION} } }`,
  customer: gql`
    query ($id: ID!) {
      getCustomerById(id: $id) {
        id
        email
        status
      }
    }
  `,
  customerOutcome: gql`
    query ($id: ID!, $commandId: ID!) {
      getCustomerCommandOutcome(id: $id, commandId: $commandId) {
        status
        error {
          code
        }
      }
    }
  `,
  account: gql`query ($customerId: ID!) { getPaymentAccountByCustomerId(customerId: $customerId) { ${ACCOUNT} } }`,
  availability: gql`
    query ($roomId: ID!, $from: AWSDate!, $to: AWSDate!) {
      getRoomAvailability(roomId: $roomId, from: $from, to: $to) {
        available
      }
    }
  `,
};

describe('the hotel journey through the local core', () => {
  let core: LocalCore;
  let client: ApolloClient;
  const lines: string[] = [];
  let guests = 0;

  beforeAll(async () => {
    core = await bootLocalCore({ stacks: [LOCAL_STACK], assemblyDir, port: 0, log: (line) => lines.push(line) });
    client = appSyncClient(core, iamAuth(core));
  });
  afterAll(async () => {
    await core.stop();
  });

  const send = async (mutation: keyof typeof Q, input: Record<string, unknown>): Promise<string> => {
    const answer = await client.mutate({ mutation: Q[mutation], variables: { input } });
    return (Object.values(answer.data as object)[0] as { id: string }).id;
  };
  const ask = async <T>(query: keyof typeof Q, variables: Record<string, unknown>): Promise<T> => {
    const answer = await client.query({ query: Q[query], variables, fetchPolicy: 'network-only' });
    return Object.values(answer.data as object)[0] as T;
  };
  /**
   * A customer with a payment account of `creditLimit` euro cents: opened by the registration (the
   * payment aggregate stores the customer's external event), or by openPaymentAccount.
   */
  const guest = async (
    creditLimit: number,
    opened: 'with the registration' | 'by itself' = 'with the registration',
  ) => {
    guests += 1;
    const email = `guest-${guests}-${Date.now()}@example.com`;
    if (opened === 'with the registration') {
      const id = await send('registerCustomer', { email, name: 'Guest', creditLimit, currency: 'EUR' });
      await core.idle();
      return id;
    }
    const id = await send('registerCustomer', { email, name: 'Guest' });
    await core.idle();
    await send('openAccount', { customerId: id, creditLimit, currency: 'EUR' });
    return id;
  };
  const room = async () => {
    const id = await send('registerRoom', { name: 'Sea view', nightlyPrice: 12_000, currency: 'EUR' });
    await core.idle();
    return id;
  };
  const made: string[] = [];
  const reserve = async (userId: string, roomId: string, from: number, to: number) => {
    const id = await send('reserve', { userId, roomId, dateStart: day(from), dateEnd: day(to) });
    made.push(id);
    return id;
  };
  const reservation = (id: string) => ask<Record<string, unknown>>('reservation', { id });
  const available = async (roomId: string, from: number, to: number) =>
    (await ask<{ available: boolean }>('availability', { roomId, from: day(from), to: day(to) })).available;
  const account = (customerId: string) => ask<Record<string, number>>('account', { customerId });

  let confirmed = { reservationId: '', userId: '', roomId: '' };

  it('confirms a reservation with its price: the room is booked and the payment captured', async () => {
    const userId = await guest(100_000);
    const roomId = await room();
    const reservationId = await reserve(userId, roomId, 10, 13);
    await core.idle();

    expect(await reservation(reservationId)).toMatchObject({
      status: 'CONFIRMED',
      totalPrice: 36_000,
      currency: 'EUR',
      rejectionReason: null,
    });
    expect(await available(roomId, 12, 14)).toBe(false);
    expect(await account(userId)).toMatchObject({ authorized: 0, captured: 36_000, available: 64_000 });
    confirmed = { reservationId, userId, roomId };
  });

  it('opens the payment account a registration asks for: the payment aggregate stores the customer’s event', async () => {
    const userId = await guest(50_000);
    expect(await account(userId)).toMatchObject({
      id: `account-${userId}`,
      customerId: userId,
      creditLimit: 50_000,
      currency: 'EUR',
      authorized: 0,
      captured: 0,
      refunded: 0,
      available: 50_000,
    });
  });

  it('rejects nights already held as ROOM_UNAVAILABLE and leaves no hold behind', async () => {
    const userId = await guest(100_000);
    const reservationId = await reserve(userId, confirmed.roomId, 12, 15);
    await core.idle();

    expect(await reservation(reservationId)).toMatchObject({ status: 'REJECTED', rejectionReason: 'ROOM_UNAVAILABLE' });
    expect(await available(confirmed.roomId, 13, 15)).toBe(true);
    expect(await account(userId)).toMatchObject({ authorized: 0, captured: 0, available: 100_000 });
  });

  it('rejects a stay above the credit line as PAYMENT_DECLINED and releases the room', async () => {
    const userId = await guest(20_000, 'by itself');
    const roomId = await room();
    const reservationId = await reserve(userId, roomId, 5, 7);
    await core.idle();

    expect(await reservation(reservationId)).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
    expect(await available(roomId, 5, 7)).toBe(true);
    expect(await account(userId)).toMatchObject({ authorized: 0, captured: 0, available: 20_000 });
  });

  it('rejects an unknown customer and an unknown room', async () => {
    const userId = await guest(100_000);
    const unknownRoom = await reserve(userId, 'no-such-room', 3, 4);
    const unknownCustomer = await reserve('no-such-customer', confirmed.roomId, 20, 21);
    await core.idle();
    expect(await reservation(unknownRoom)).toMatchObject({ status: 'REJECTED', rejectionReason: 'UNKNOWN_ROOM' });
    expect(await reservation(unknownCustomer)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'UNKNOWN_CUSTOMER',
    });
    expect(await available(confirmed.roomId, 20, 21)).toBe(true);
  });

  it('releases the room and refunds the payment when a confirmed reservation is cancelled', async () => {
    // Only the reservation's own user (or an admin) may cancel it: the server signs the guest with the request.
    await appSyncClientFor(core, { userId: confirmed.userId }).mutate({
      mutation: Q.cancel,
      variables: { input: { id: confirmed.reservationId, reason: 'plans changed' } },
    });
    await core.idle();

    expect(await reservation(confirmed.reservationId)).toMatchObject({ status: 'CANCELLED', totalPrice: 36_000 });
    expect(await available(confirmed.roomId, 10, 13)).toBe(true);
    expect(await account(confirmed.userId)).toMatchObject({ captured: 36_000, refunded: 36_000, available: 100_000 });
  });

  it('confirms exactly one of two reservations racing for one room and the same nights', async () => {
    const [first, second] = await Promise.all([guest(100_000), guest(100_000)]);
    const roomId = await room();
    const ids = await Promise.all([reserve(first ?? '', roomId, 30, 32), reserve(second ?? '', roomId, 30, 32)]);
    await core.idle();

    const outcomes = await Promise.all(ids.map(reservation));
    expect(outcomes.map((each) => each.status).sort()).toEqual(['CONFIRMED', 'REJECTED']);
    expect(outcomes.find((each) => each.status === 'REJECTED')).toMatchObject({ rejectionReason: 'ROOM_UNAVAILABLE' });
    const captured = await Promise.all([first, second].map((id) => account(id ?? '')));
    expect(captured.map((each) => each.captured).sort()).toEqual([0, 24_000]);
  });

  it('makes exactly one customer of two registrations racing for one email', async () => {
    const email = `race-${Date.now()}@example.com`;
    const commands = ['race-a', 'race-b'].map((commandId) => ({ email, name: 'Racer', commandId }));
    const ids = await Promise.all(commands.map((input) => send('registerCustomer', input)));
    await core.idle();

    const customers = await Promise.all(ids.map((id) => ask<Record<string, unknown> | null>('customer', { id })));
    expect(customers.filter((each) => each !== null)).toEqual([expect.objectContaining({ email, status: 'ACTIVE' })]);
    const outcomes = await Promise.all(
      ids.map((id, index) =>
        ask<Record<string, unknown>>('customerOutcome', { id, commandId: commands[index]?.commandId }),
      ),
    );
    expect(outcomes.map((each) => each.status).sort()).toEqual(['REJECTED', 'STORED']);
    expect(outcomes.find((each) => each.status === 'REJECTED')).toMatchObject({
      error: { code: 'EMAIL_ALREADY_REGISTERED' },
    });
  });

  it('lists a customer’s reservations from the read model, and a rebuild from the event store equals it', async () => {
    const listed = await ask<Record<string, unknown>[]>('byUser', { userId: confirmed.userId });
    expect(listed).toEqual([
      expect.objectContaining({ id: confirmed.reservationId, status: 'CANCELLED', totalPrice: 36_000 }),
    ]);

    // The rebuild is an operator's job: an administrator's credentials, as on AWS.
    const dynamo = new DynamoDBClient({
      endpoint: core.endpoint,
      region: core.region,
      credentials: core.operatorCredentials,
    });
    const tables = (await dynamo.send(new ListTablesCommand({}))).TableNames ?? [];
    const liveTable = tables.find((name) => name.includes('ReservationReservationsByUser')) ?? '';
    const eventsTable = tables.find((name) => name.includes('ReservationEvents')) ?? '';
    const rebuiltTable = `${liveTable}-rebuilt`;
    const { partitionKey, sortKey } = READ_MODEL_KEYS;
    await dynamo.send(
      new CreateTableCommand({
        TableName: rebuiltTable,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: partitionKey.name, KeyType: 'HASH' },
          { AttributeName: sortKey.name, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
          { AttributeName: sortKey.name, AttributeType: sortKey.type },
        ],
      }),
    );
    const written = await rebuildReservationsByUser({ client: dynamo, eventsTable, readModelTable: rebuiltTable });
    const live = await reservationsByUser({ tableName: liveTable, client: dynamo }).all();
    const rebuilt = await reservationsByUser({ tableName: rebuiltTable, client: dynamo }).all();
    expect(written).toBe(made.length);
    expect(rebuilt.map((each) => each.id).sort()).toEqual([...made].sort());
    expect(rebuilt).toEqual(live);
    dynamo.destroy();
  });

  it('ran the saga the CDK synthesized', () => {
    const template = JSON.parse(readFileSync(join(assemblyDir, `${LOCAL_STACK}.template.json`), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { DefinitionString?: unknown } }>;
    };
    const machines = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    expect(machines.map(([id]) => id)).toEqual([expect.stringMatching(/^ReservationSagaStateMachine/)]);
    expect(JSON.stringify(machines[0]?.[1].Properties.DefinitionString)).toContain('lambda:invoke.waitForTaskToken');
    expect(lines.some((line) => /Execution SUCCEEDED: .*ReservationSagaStateMachine/.test(line))).toBe(true);
    expect(lines.filter((line) => /Execution (FAILED|TIMED_OUT)/.test(line))).toEqual([]);
  });
});
