/**
 * The reservation flow end to end with the real handler modules, configured by environment only
 * (as Lambda configures them): dynalite for DynamoDB, and a bus and an AppSync endpoint that
 * capture what they are given.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppSyncResolverEvent } from '@core/runtime/handlers';
import { createEventsTable, startCapturingBus, startCapturingGraphQL, startDynalite } from '@core/runtime/testing';
import { handler as command } from '../src/handlers/command';
import { handler as event } from '../src/handlers/event';
import { handler as query } from '../src/handlers/query';
import { READ_MODEL_KEYS } from '../src/read-model';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let bus: Awaited<ReturnType<typeof startCapturingBus>>;
let appsync: Awaited<ReturnType<typeof startCapturingGraphQL>>;
const lambda = { awsRequestId: 'req-1' };
const nextWeek = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dynamo = await startDynalite();
  await createEventsTable(dynamo.client, 'reservation-events');
  const { partitionKey, sortKey } = READ_MODEL_KEYS;
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: 'reservations-by-user',
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
  bus = await startCapturingBus();
  appsync = await startCapturingGraphQL();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    EVENTS_TABLE_NAME: 'reservation-events',
    READ_MODEL_TABLE_NAME: 'reservations-by-user',
    EVENT_BUS_NAME: 'core',
    EVENT_SOURCE: 'core.reservation',
    GRAPHQL_URL: appsync.url,
  });
});
afterAll(async () => {
  await Promise.all([dynamo.close(), bus.close(), appsync.close()]);
});

const mutation = (fieldName: string, input: Record<string, unknown>): AppSyncResolverEvent => ({
  arguments: { input },
  identity: { userArn: 'arn:aws:iam::000000000000:role/frontend-server' },
  info: { fieldName, parentTypeName: 'Mutation' },
});

/** The same mutation, sent by the front-end server for a user it names in a signed header. */
const forUser = (event: AppSyncResolverEvent, userId: string): AppSyncResolverEvent => ({
  ...event,
  request: {
    headers: {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date;x-core-user, Signature=00',
      'x-core-user': userId,
    },
  },
});

/** Delivers every entry the bus accepted since `from`, as the bus rule would. */
async function deliverFrom(from: number) {
  const outcomes = [];
  for (const entry of bus.accepted.slice(from)) {
    expect(entry).toMatchObject({ Source: 'core.reservation', EventBusName: 'core' });
    outcomes.push(
      await event({
        id: 'evt',
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail),
      }),
    );
  }
  return outcomes;
}
const lastNotification = () =>
  JSON.parse(appsync.requests.at(-1)?.body ?? '{}') as { query: string; variables: { input: Record<string, unknown> } };

describe('reservation flow: command → publish → store → notify', () => {
  let reservationId = '';

  it('accepts createReservation with an id, then stores it and notifies STORED with the reservation', async () => {
    const before = bus.accepted.length;
    const input = {
      userId: 'u-1',
      roomId: 'room-7',
      dateStart: nextWeek(7),
      dateEnd: nextWeek(10),
      commandId: 'cmd-create-1',
    };
    const accepted = await command(mutation('createReservation', input), lambda);
    expect(accepted.commandId).toBe('cmd-create-1');
    expect(accepted.id).toMatch(/^[0-9a-f-]{36}$/);
    reservationId = accepted.id;

    const [outcome] = await deliverFrom(before);
    expect(outcome?.status).toBe('STORED');
    const notification = lastNotification();
    expect(notification.query).toContain('reservationSaved(input: $input)');
    expect(notification.variables.input).toEqual({
      id: reservationId,
      commandId: 'cmd-create-1',
      fingerprint: accepted.fingerprint,
      replyTo: null,
      status: 'STORED',
      version: 1,
      reservation: {
        id: reservationId,
        userId: 'u-1',
        roomId: 'room-7',
        dateStart: input.dateStart,
        dateEnd: input.dateEnd,
        status: 'REQUESTED',
        version: 1,
        cancellationReason: null,
        rejectionReason: null,
        totalPrice: null,
        currency: null,
      },
      error: null,
    });
    expect(appsync.requests.at(-1)?.headers.authorization).toMatch(/Credential=AKIDLOCAL\/\d+\/us-east-1\/appsync\//);
  });

  it('lists the stored reservation from the read model, put in the commit’s transaction', async () => {
    const listed = await query(
      {
        arguments: { userId: 'u-1' },
        identity: null,
        info: { fieldName: 'listReservationsByUser', parentTypeName: 'Query' },
      },
      lambda,
    );
    expect(listed).toEqual([expect.objectContaining({ id: reservationId, status: 'REQUESTED', version: 1 })]);
  });

  it('answers the query with the folded state', async () => {
    const found = await query(
      {
        arguments: { id: reservationId },
        identity: null,
        info: { fieldName: 'getReservationById', parentTypeName: 'Query' },
      },
      lambda,
    );
    expect(found).toMatchObject({ id: reservationId, status: 'REQUESTED', version: 1 });
  });

  it('answers a retried commandId with the same id, notifies STORED again and never makes a second reservation', async () => {
    const before = bus.accepted.length;
    const input = {
      userId: 'u-1',
      roomId: 'room-7',
      dateStart: nextWeek(7),
      dateEnd: nextWeek(10),
      commandId: 'cmd-create-1',
    };
    expect(await command(mutation('createReservation', input), lambda)).toMatchObject({
      id: reservationId,
      commandId: 'cmd-create-1',
    });
    expect(bus.accepted.slice(before).map((entry) => entry.DetailType)).toEqual(['Renotify']);
    await deliverFrom(before);
    expect(lastNotification().variables.input).toMatchObject({
      commandId: 'cmd-create-1',
      status: 'STORED',
      version: 1,
    });
    const outcome = await query(
      {
        arguments: { id: reservationId, commandId: 'cmd-create-1' },
        identity: null,
        info: { fieldName: 'getReservationCommandOutcome', parentTypeName: 'Query' },
      },
      lambda,
    );
    expect(outcome).toMatchObject({ status: 'STORED', version: 1, reservation: { id: reservationId } });
  });

  it('refuses at once a cancel that reuses the create command id, publishing nothing', async () => {
    const before = bus.accepted.length;
    const reuse = mutation('cancelReservation', { id: reservationId, reason: 'x', commandId: 'cmd-create-1' });
    await expect(command(reuse, lambda)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^COMMAND_ID_REUSED: /) as unknown as string,
    });
    expect(bus.accepted).toHaveLength(before);
  });

  it('refuses at once a create retried with another input under the same commandId (COMMAND_ID_REUSED), publishing nothing', async () => {
    const before = bus.accepted.length;
    const other = {
      userId: 'u-9',
      roomId: 'room-7',
      dateStart: nextWeek(7),
      dateEnd: nextWeek(10),
      commandId: 'cmd-create-1',
    };
    // The new reservation's id comes from the command id, so the other input lands on the first
    // reservation's stream, whose recent commits know the command id under another fingerprint.
    await expect(command(mutation('createReservation', other), lambda)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^COMMAND_ID_REUSED: command id cmd-create-1 was already used/),
    });
    expect(bus.accepted).toHaveLength(before);
  });

  it('answers a broken rule at once as BusinessRuleViolation naming the rule, and publishes nothing', async () => {
    const before = bus.accepted.length;
    const input = { userId: 'u-1', roomId: 'room-7', dateStart: nextWeek(10), dateEnd: nextWeek(7) };
    await expect(command(mutation('createReservation', input), lambda)).rejects.toMatchObject({
      name: 'BusinessRuleViolation',
      message: expect.stringMatching(/^DATE_END_NOT_AFTER_START: dateEnd .* must be after dateStart/),
    });
    expect(bus.accepted).toHaveLength(before);
  });

  it('answers malformed input as ValidationError, with no stack trace', async () => {
    const error = await command(
      mutation('createReservation', { userId: 'u', roomId: 'r', dateStart: 'soon', dateEnd: nextWeek(3) }),
      lambda,
    ).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^INVALID_DATE: dateStart must be a date/),
    });
    expect((error as Error).message).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('refuses a cancel for another user, or for nobody, as Forbidden, and publishes nothing', async () => {
    const before = bus.accepted.length;
    const cancel = mutation('cancelReservation', { id: reservationId, reason: 'not mine' });
    for (const attempt of [forUser(cancel, 'u-2'), cancel]) {
      await expect(command(attempt, lambda)).rejects.toMatchObject({
        name: 'Forbidden',
        message: expect.stringMatching(/^NOT_RESERVATION_OWNER: /) as unknown as string,
      });
    }
    expect(bus.accepted).toHaveLength(before);
  });

  it("cancels for the reservation's own user, then refuses a second cancel as already cancelled", async () => {
    const before = bus.accepted.length;
    await command(
      forUser(
        mutation('cancelReservation', { id: reservationId, reason: 'plans changed', commandId: 'cmd-cancel-1' }),
        'u-1',
      ),
      lambda,
    );
    const [outcome] = await deliverFrom(before);
    expect(outcome).toMatchObject({
      status: 'STORED',
      version: 2,
      state: { status: 'CANCELLED', cancellationReason: 'plans changed' },
    });
    const again = forUser(mutation('cancelReservation', { id: reservationId }), 'u-1');
    await expect(command(again, lambda)).rejects.toMatchObject({
      name: 'BusinessRuleViolation',
      message: expect.stringMatching(/^RESERVATION_ALREADY_CANCELLED/),
    });
  });

  it('refuses to cancel an unknown reservation', async () => {
    await expect(command(mutation('cancelReservation', { id: 'no-such-reservation' }), lambda)).rejects.toMatchObject({
      name: 'BusinessRuleViolation',
      message: expect.stringMatching(/^RESERVATION_NOT_FOUND/),
    });
  });

  it('puts a deadline 10 s after acceptance on every event by default', async () => {
    const before = bus.accepted.length;
    const started = Date.now();
    await command(
      mutation('createReservation', { userId: 'u-2', roomId: 'room-1', dateStart: nextWeek(1), dateEnd: nextWeek(2) }),
      lambda,
    );
    const commit = JSON.parse(bus.accepted[before]?.Detail ?? '{}') as {
      deadline: string;
      events: { deadline: string; occurredAt: string }[];
    };
    const deadline = Date.parse(commit.deadline);
    expect(deadline - Date.parse(commit.events[0]?.occurredAt ?? '')).toBe(10_000);
    expect(deadline).toBeGreaterThanOrEqual(started + 10_000);
    expect(commit.events[0]?.deadline).toBe(commit.deadline);
  });
});
