/**
 * The room flow with the real handler modules, configured by environment only: dynalite behind the
 * transaction front, and capturing servers for the bus, AppSync and Step Functions. Two saga steps
 * racing for the same nights: one is held, the other is told CONFLICT and, decided again, refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppSyncResolverEvent } from '@core/runtime/handlers';
import { createEventsTable, startCapturingBus, startCapturingGraphQL, startDynalite } from '@core/runtime/testing';
import { handler as command } from '../src/handlers/command';
import { handler as event } from '../src/handlers/event';
import { handler as query } from '../src/handlers/query';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let bus: Awaited<ReturnType<typeof startCapturingBus>>;
let appsync: Awaited<ReturnType<typeof startCapturingGraphQL>>;
let sfn: Awaited<ReturnType<typeof startCapturingGraphQL>>;
const lambda = { awsRequestId: 'req-1' };
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dynamo = await startDynalite();
  await createEventsTable(dynamo.client, 'room-events');
  bus = await startCapturingBus();
  appsync = await startCapturingGraphQL();
  sfn = await startCapturingGraphQL();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    AWS_ENDPOINT_URL_SFN: sfn.url,
    EVENTS_TABLE_NAME: 'room-events',
    EVENT_BUS_NAME: 'core',
    EVENT_SOURCE: 'core.room',
    GRAPHQL_URL: appsync.url,
  });
});
afterAll(async () => {
  await Promise.all([dynamo.close(), bus.close(), appsync.close(), sfn.close()]);
});

const invoke = (fieldName: string, input: Record<string, unknown>): AppSyncResolverEvent => ({
  arguments: { input },
  identity: { userArn: 'arn:aws:iam::000000000000:role/saga' },
  info: { fieldName, parentTypeName: 'Mutation' },
});
const ask = (fieldName: string, args: Record<string, unknown>) =>
  query({ arguments: args, identity: null, info: { fieldName, parentTypeName: 'Query' } }, lambda);

async function sendAndDeliver(...commands: AppSyncResolverEvent[]) {
  const from = bus.accepted.length;
  const accepted = await Promise.all(commands.map((each) => command(each, lambda)));
  const outcomes = await Promise.all(
    bus.accepted
      .slice(from)
      .map((entry) =>
        event({ id: 'evt', source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) }),
      ),
  );
  return { accepted, outcomes };
}
const reports = () => sfn.requests.map((r) => ({ target: r.headers['x-amz-target'], body: JSON.parse(r.body) }));

describe('room flow', () => {
  let roomId = '';

  it('registers a room', async () => {
    const { accepted } = await sendAndDeliver(
      invoke('registerRoom', { name: 'Sea view', nightlyPrice: 12_000, currency: 'EUR' }),
    );
    roomId = accepted[0]?.id ?? '';
    expect(await ask('getRoomById', { id: roomId })).toEqual({
      id: roomId,
      name: 'Sea view',
      nightlyPrice: 12_000,
      currency: 'EUR',
      version: 1,
    });
  });

  it('holds the nights for one of two racing steps; the other is told CONFLICT, then refused when decided again', async () => {
    const from = sfn.requests.length;
    const hold = (reservationId: string, token: string) =>
      invoke('holdRoom', { roomId, reservationId, dateStart: day(10), dateEnd: day(13), taskToken: token });
    const { outcomes } = await sendAndDeliver(hold('r-a', 'token-a'), hold('r-b', 'token-b'));
    expect(outcomes.map((outcome) => outcome?.status).sort()).toEqual(['REJECTED', 'STORED']);
    const sent = reports().slice(from);
    expect(sent.map((report) => report.target).sort()).toEqual([
      'AWSStepFunctions.SendTaskFailure',
      'AWSStepFunctions.SendTaskSuccess',
    ]);
    const success = sent.find((report) => report.target === 'AWSStepFunctions.SendTaskSuccess');
    const winner = success?.body.taskToken === 'token-a' ? 'r-a' : 'r-b';
    expect(JSON.parse(success?.body.output).input.hold).toEqual({
      reservationId: winner,
      dateStart: day(10),
      dateEnd: day(13),
      status: 'HELD',
      totalPrice: 36_000,
      currency: 'EUR',
    });
    expect(sent.find((report) => report.target === 'AWSStepFunctions.SendTaskFailure')?.body.error).toBe('CONFLICT');

    const loser = winner === 'r-a' ? 'r-b' : 'r-a';
    await expect(command(hold(loser, 'token-again'), lambda)).rejects.toMatchObject({
      name: 'NIGHTS_UNAVAILABLE',
      message: expect.stringMatching(/^NIGHTS_UNAVAILABLE: /),
    });
    expect(await ask('getRoomAvailability', { roomId, from: day(12), to: day(14) })).toEqual({
      roomId,
      from: day(12),
      to: day(14),
      available: false,
    });
    expect(await ask('getRoomAvailability', { roomId, from: day(13), to: day(14) })).toMatchObject({ available: true });
  });

  it('refuses an availability range that ends before it starts', async () => {
    await expect(ask('getRoomAvailability', { roomId, from: day(5), to: day(5) })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
