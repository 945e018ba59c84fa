/**
 * The attacks of issue 9, each tried against the local core booted from cdk.out as an attacker on
 * this machine would try it, and each refused: the development stage (CoreDev, what `pnpm start`
 * runs) for most, the production stack (Core) for what only production turns off.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootLocalCore, type LocalCore } from '@core/local';
import { fromCommitItem } from '@core/runtime/dynamodb';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import WebSocket from 'ws';
import { LOCAL_STACK, PRODUCTION_STACK } from '../scripts/local-stack';
import { awsRequest, graphqlRequest, localResource, rawPost, type Credentials } from './support/local-requests';

const assemblyDir = join(__dirname, '..', 'cdk.out');
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const CREATE = `mutation Create($input: CreateReservationInput!) { createReservation(input: $input) { id commandId } }`;
const CANCEL = `mutation Cancel($input: CancelReservationInput!) { cancelReservation(input: $input) { id commandId } }`;
const GET = `query Get($id: ID!) { getReservationById(id: $id) { id status version userId dateStart } }`;
const SAVED = `mutation Saved($input: ReservationNotificationInput!) { reservationSaved(input: $input) { id status } }`;
const FORGED_NOTIFICATION = { input: { id: 'forged', commandId: 'forged', status: 'STORED', version: 1 } };

/** The front-end server acting for `userId` (with `roles`): the user headers are signed with the request. */
const forUser = (userId: string, roles?: string) => ({
  headers: { 'x-core-user': userId, ...(roles === undefined ? {} : { 'x-core-user-roles': roles }) },
});

let core: LocalCore;
let production: LocalCore;
let frontEnd: Credentials;
let table: { name: string; arn: string };
let bus: { name: string; arn: string };
const lines: string[] = [];

/** Creates a reservation as the front-end server acting for `userId`, waits until it is stored, returns its id. */
async function reservationOf(userId: string): Promise<string> {
  const input = { userId, roomId: 'room-101', dateStart: day(30), dateEnd: day(32) };
  const answer = await graphqlRequest(core, { query: CREATE, variables: { input } }, frontEnd, forUser(userId));
  await core.idle();
  return (answer.body.data as { createReservation: { id: string } }).createReservation.id;
}

const REGISTER_CUSTOMER = `mutation Register($input: RegisterCustomerInput!) { registerCustomer(input: $input) { id } }`;
const REGISTER_ROOM = `mutation Room($input: RegisterRoomInput!) { registerRoom(input: $input) { id } }`;

/**
 * A reservation the saga confirms (a registered guest with credit, a registered room), so that it can
 * be cancelled; made as the front-end server acting for the guest. Returns its id and the guest's.
 */
async function confirmedReservation(): Promise<{ id: string; userId: string }> {
  const email = `${randomUUID()}@hotel.example`;
  const customer = { email, name: 'Owner', creditLimit: 1_000_000, currency: 'EUR' };
  const room = { name: 'Attic', nightlyPrice: 9_000, currency: 'EUR' };
  const idOf = (answer: { body: Record<string, unknown> }) =>
    (Object.values(answer.body.data as object)[0] as { id: string }).id;
  const userId = idOf(
    await graphqlRequest(core, { query: REGISTER_CUSTOMER, variables: { input: customer } }, frontEnd),
  );
  const roomId = idOf(await graphqlRequest(core, { query: REGISTER_ROOM, variables: { input: room } }, frontEnd));
  await core.idle();
  const input = { userId, roomId, dateStart: day(30), dateEnd: day(32) };
  const id = idOf(await graphqlRequest(core, { query: CREATE, variables: { input } }, frontEnd, forUser(userId)));
  await core.idle();
  return { id, userId };
}

async function reservationState(id: string): Promise<Record<string, unknown> | null> {
  const answer = await graphqlRequest(core, { query: GET, variables: { id } }, frontEnd);
  return (answer.body.data as { getReservationById: Record<string, unknown> | null }).getReservationById;
}

beforeAll(async () => {
  core = await bootLocalCore({ assemblyDir, stacks: [LOCAL_STACK], port: 0, log: (line) => lines.push(line) });
  production = await bootLocalCore({ assemblyDir, stacks: [PRODUCTION_STACK], port: 0, log: () => undefined });
  frontEnd = core.frontEndCredentials;
  table = localResource(assemblyDir, LOCAL_STACK, core, 'Reservation/Events');
  bus = localResource(assemblyDir, LOCAL_STACK, core, 'Bus');
});
afterAll(async () => {
  await Promise.all([core?.stop(), production?.stop()]);
});

describe('the DynamoDB route: Scan the event store, PutItem a forged state, DeleteItem', () => {
  it('refuses a Scan with any Authorization header, with none, or signed by an unknown key', async () => {
    const scan = { TableName: table.name };
    const answers = await Promise.all([
      awsRequest(core, 'dynamodb', 'Scan', scan, undefined, {
        headers: { authorization: 'AWS4-HMAC-SHA256 anything' },
      }),
      awsRequest(core, 'dynamodb', 'Scan', scan, undefined),
      awsRequest(core, 'dynamodb', 'Scan', scan, { accessKeyId: 'AKIAATTACKER00000000', secretAccessKey: 'x' }),
    ]);
    expect(answers.map((a) => [a.status, a.body.__type])).toEqual([
      [400, 'IncompleteSignatureException'],
      [400, 'MissingAuthenticationTokenException'],
      [400, 'UnrecognizedClientException'],
    ]);
  });

  it("refuses a Scan to the front-end servers and to the query handler's role, naming the action and the table", async () => {
    for (const credentials of [frontEnd, core.credentialsOf('Reservation/QueryHandler')]) {
      const answer = await awsRequest(core, 'dynamodb', 'Scan', { TableName: table.name }, credentials);
      expect(answer.body).toEqual({
        __type: 'AccessDeniedException',
        message: expect.stringContaining(
          `not authorized to perform: dynamodb:Scan on resource: ${table.arn} because no identity-based policy allows the dynamodb:Scan action`,
        ),
      });
    }
  });

  it('refuses a forged state (PutItem) and a DeleteItem even to an administrator; the reservation keeps its stored state', async () => {
    const id = await reservationOf('guest-store');
    const stored = await reservationState(id);
    const forged = {
      TableName: table.name,
      Item: {
        streamId: { S: id },
        version: { N: '2' },
        state: { S: JSON.stringify({ status: 'CANCELLED', userId: 'attacker' }) },
      },
    };
    const key = { TableName: table.name, Key: { streamId: { S: id }, version: { N: '1' } } };
    const attempts = [
      ['PutItem', forged, core.operatorCredentials],
      ['PutItem', forged, core.credentialsOf('Reservation/CommandHandler')],
      ['DeleteItem', key, core.operatorCredentials],
      ['DeleteItem', key, core.credentialsOf('Reservation/EventHandler')],
    ] as const;
    for (const [operation, input, credentials] of attempts) {
      const answer = await awsRequest(core, 'dynamodb', operation, input, credentials);
      expect({ operation, type: answer.body.__type }).toEqual({ operation, type: 'AccessDeniedException' });
    }
    expect(stored).toMatchObject({ id, userId: 'guest-store' });
    expect(await reservationState(id)).toEqual(stored);
  });
});

describe('the bus: a forged Commit put with no credentials, or by anyone but the command handler', () => {
  /** A commit as the command handler would publish it, for a stay from 2020, 400 nights, by an actor of the sender's choosing. */
  const forgedCommit = (streamId: string, expectedVersion: number, type: string, state: object) => {
    const commitId = randomUUID();
    const deadline = new Date(Date.now() + 60_000).toISOString();
    const actor = { kind: 'iam', id: 'arn:aws:iam::000000000000:role/Admin', userId: 'guest-victim', roles: ['admin'] };
    return {
      aggregate: 'reservation',
      streamId,
      commitId,
      fingerprint: 'forged',
      expectedVersion,
      correlationId: commitId,
      deadline,
      events: [
        {
          id: randomUUID(),
          type,
          streamId,
          version: expectedVersion + 1,
          data: state,
          occurredAt: new Date().toISOString(),
          correlationId: commitId,
          causationId: commitId,
          actor,
          deadline,
        },
      ],
      state,
      reducerVersion: 1,
      recentCommits: [`${commitId} forged`],
    };
  };
  const entry = (detail: object, source = 'core.reservation') => ({
    EventBusName: bus.name,
    Source: source,
    DetailType: 'Commit',
    Detail: JSON.stringify(detail),
  });

  it('refuses PutEvents without credentials', async () => {
    const stay = {
      reservationId: 'r-2020',
      userId: 'x',
      roomId: 'room-1',
      dateStart: '2020-01-01',
      dateEnd: '2021-02-04',
    };
    const answer = await awsRequest(
      core,
      'events',
      'PutEvents',
      { Entries: [entry(forgedCommit('r-2020', 0, 'ReservationRequested', stay))] },
      undefined,
    );
    expect(answer).toEqual({
      status: 400,
      body: expect.objectContaining({ __type: 'MissingAuthenticationTokenException' }),
    });
  });

  it("refuses a forged Commit to the front-end servers, the event handler's role and an administrator; nothing is stored or notified", async () => {
    const streamId = randomUUID();
    const stay = {
      reservationId: streamId,
      userId: 'x',
      roomId: 'room-1',
      dateStart: '2020-01-01',
      dateEnd: '2021-02-04',
    };
    const events = core.metrics().busEvents;
    const forged = {
      Entries: [entry(forgedCommit(streamId, 0, 'ReservationRequested', { status: 'REQUESTED', ...stay }))],
    };
    // The bus policy's explicit deny refuses the aggregate's source to every principal but the command handler's role.
    for (const credentials of [frontEnd, core.credentialsOf('Reservation/EventHandler'), core.operatorCredentials]) {
      const answer = await awsRequest(core, 'events', 'PutEvents', forged, credentials);
      expect(answer.body).toEqual({
        __type: 'AccessDeniedException',
        message: expect.stringContaining(
          `events:PutEvents on resource: ${bus.arn} (events:source=core.reservation, events:detail-type=Commit) with an explicit deny in a resource-based policy`,
        ),
      });
    }
    await core.idle();
    expect(core.metrics().busEvents).toBe(events);
    expect(await reservationState(streamId)).toBeNull();
  });

  it('refuses a forged cancellation of a live reservation; it stays as it was', async () => {
    const id = await reservationOf('guest-victim');
    const stored = await reservationState(id);
    const cancelled = { reservationId: id, reason: 'forged' };
    const forged = { Entries: [entry(forgedCommit(id, 1, 'ReservationCancelled', cancelled))] };
    const answer = await awsRequest(core, 'events', 'PutEvents', forged, core.operatorCredentials);
    expect(answer.body.__type).toBe('AccessDeniedException');
    await core.idle();
    expect(stored).toMatchObject({ id });
    expect(await reservationState(id)).toEqual(stored);
  });

  it("refuses the command handler's own role another aggregate's source or another detail type", async () => {
    const commandHandler = core.credentialsOf('Reservation/CommandHandler');
    const commit = forgedCommit(randomUUID(), 0, 'ReservationRequested', {});
    for (const refused of [entry(commit, 'core.payment'), { ...entry(commit), DetailType: 'Forged' }]) {
      const answer = await awsRequest(core, 'events', 'PutEvents', { Entries: [refused] }, commandHandler);
      expect(answer.body.__type).toBe('AccessDeniedException');
    }
  });
});

/** Opens a real-time connection with the API key and acknowledges it. */
async function realtime(
  target: LocalCore,
  headers: Record<string, string> = {},
): Promise<{ socket: WebSocket; next: () => Promise<Record<string, unknown>>; closed: Promise<number> }> {
  const host = new URL(target.graphqlUrl).host;
  const auth = Buffer.from(JSON.stringify({ host, 'x-api-key': target.apiKey })).toString('base64');
  const socket = new WebSocket(
    `${target.realtimeUrl}?header=${encodeURIComponent(auth)}&payload=e30=`,
    ['graphql-ws'],
    { headers },
  );
  const queue: Record<string, unknown>[] = [];
  const waiting: ((message: Record<string, unknown>) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    if (message.type === 'ka') return;
    (waiting.shift() ?? ((m: Record<string, unknown>) => queue.push(m)))(message);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', resolve));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = () =>
    queue.length > 0
      ? Promise.resolve(queue.shift() as Record<string, unknown>)
      : new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await next();
  return { socket, next, closed };
}

describe('the server: any Host, any number of subscriptions, bodies and frames of any size', () => {
  it('serves only the Host names 127.0.0.1 and localhost, over HTTP and for the real-time upgrade', async () => {
    const answer = await rawPost(
      core,
      '/graphql',
      { host: 'attacker.example', 'content-type': 'application/json', 'x-api-key': core.apiKey, 'content-length': '2' },
      (write) => write(Buffer.from('{}')),
    );
    expect(answer.status).toBe(403);
    await expect(realtime(core, { host: 'attacker.example' })).rejects.toThrow(/403/);
  });

  it('refuses the 101st subscription on one connection (the attack opened 2,000)', async () => {
    const { socket, next } = await realtime(core);
    const host = new URL(core.graphqlUrl).host;
    const start = (id: string) => ({
      id,
      type: 'start',
      payload: {
        data: JSON.stringify({ query: 'subscription { onReservationSaved(commandId: "x") { id } }', variables: {} }),
        extensions: { authorization: { host, 'x-api-key': core.apiKey } },
      },
    });
    for (let i = 0; i <= 100; i++) socket.send(JSON.stringify(start(`s-${i}`)));
    const answers: Record<string, unknown>[] = [];
    for (let i = 0; i <= 100; i++) answers.push(await next());
    expect(answers.filter((m) => m.type === 'start_ack')).toHaveLength(100);
    expect(answers[100]).toMatchObject({
      type: 'error',
      id: 's-100',
      payload: { errors: [{ errorType: 'MaxSubscriptionsReachedError' }] },
    });
    socket.terminate();
  });

  it('refuses a GraphQL body over 1 MiB before reading it, and closes a connection that sends a frame over 240 KB', async () => {
    const answer = await rawPost(core, '/graphql', {
      'content-type': 'application/json',
      'x-api-key': core.apiKey,
      'content-length': String(2 * 1024 * 1024),
    });
    expect(answer.status).toBe(413);
    const { socket, closed } = await realtime(core);
    socket.send('x'.repeat(241 * 1024));
    expect(await closed).toBe(1009);
  });
});

describe('AppSync authorization: the API key always on, introspection open, anyone cancelling anyone', () => {
  const INTROSPECT = { query: '{ __schema { queryType { name } } }' };

  it('has no API key mode and no introspection in production, both in the development stage', async () => {
    expect(production.apiKey).toBe('');
    const withKey = await graphqlRequest(production, { query: GET, variables: { id: 'x' } }, undefined, {
      headers: { 'x-api-key': core.apiKey },
    });
    expect(withKey).toEqual({
      status: 401,
      body: { errors: [expect.objectContaining({ errorType: 'UnauthorizedException' })] },
    });
    const refused = await graphqlRequest(production, INTROSPECT, production.frontEndCredentials);
    expect(refused.body).toMatchObject({
      data: null,
      errors: expect.arrayContaining([
        expect.objectContaining({ message: expect.stringMatching(/^GraphQL introspection has been disabled/) }),
      ]),
    });
    const allowed = await graphqlRequest(core, INTROSPECT, frontEnd);
    expect(allowed.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('refuses, before running anything, a request that would run more resolvers than the API allows', async () => {
    const two = { query: '{ a: getReservationById(id: "x") { id } b: getReservationById(id: "y") { id } }' };
    const invocations = () => production.metrics().lambdaInvocations;
    const before = invocations();
    const many = {
      query: `{ ${Array.from({ length: 11 }, (_, i) => `r${i}: getReservationById(id: "x") { id }`).join(' ')} }`,
    };
    const refused = await graphqlRequest(production, many, production.frontEndCredentials);
    expect(refused.body).toMatchObject({
      data: null,
      errors: [expect.objectContaining({ message: expect.stringMatching(/^Resolver count limit of 10 exceeded/) })],
    });
    expect(invocations()).toBe(before);
    expect((await graphqlRequest(production, two, production.frontEndCredentials)).body).toEqual({
      data: { a: null, b: null },
    });
  });

  it("lets only the reservation's own user or an admin cancel it", async () => {
    const { id, userId } = await confirmedReservation();
    const cancel = { query: CANCEL, variables: { input: { id, reason: 'not mine' } } };
    const refusals = [
      await graphqlRequest(core, cancel, frontEnd, forUser('guest-other')),
      await graphqlRequest(core, cancel, frontEnd),
      await graphqlRequest(core, cancel, undefined, {
        headers: { 'x-api-key': core.apiKey, 'x-core-user': userId },
      }),
    ];
    for (const answer of refusals) {
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ errorType: 'Forbidden', message: expect.stringMatching(/^NOT_RESERVATION_OWNER: /) }),
      ]);
    }
    const byAdmin = await graphqlRequest(core, cancel, frontEnd, forUser('staff-1', 'admin'));
    expect(byAdmin.body.data).toMatchObject({ cancelReservation: { id } });
    await core.idle();
    expect(await reservationState(id)).toMatchObject({ status: 'CANCELLED' });
  });

  it('refuses the notification mutation forged with the API key and with a front-end server’s signature', async () => {
    const request = { query: SAVED, variables: FORGED_NOTIFICATION };
    for (const answer of [
      await graphqlRequest(core, request, undefined, { headers: { 'x-api-key': core.apiKey } }),
      await graphqlRequest(core, request, frontEnd),
    ]) {
      expect(answer.body).toMatchObject({
        data: { reservationSaved: null },
        errors: [
          expect.objectContaining({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access reservationSaved on type Mutation',
          }),
        ],
      });
    }
  });
});

describe('signatures: a signed request replayed after its expiry, a tampered signature', () => {
  const request = () => ({ query: GET, variables: { id: 'any' } });

  it('refuses a request signed more than 5 minutes ago', async () => {
    const replayed = await graphqlRequest(core, request(), frontEnd, {
      signingDate: new Date(Date.now() - 6 * 60_000),
    });
    expect(replayed).toEqual({
      status: 401,
      body: {
        errors: [
          expect.objectContaining({
            errorType: 'UnauthorizedException',
            message: expect.stringMatching(/^Signature expired/),
          }),
        ],
      },
    });
  });

  it('refuses a tampered signature, and a body changed after signing', async () => {
    const flip = (headers: Record<string, string>) => {
      headers.authorization = String(headers.authorization).replace(
        /Signature=([0-9a-f])/,
        (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`,
      );
    };
    const tampered = await graphqlRequest(core, request(), frontEnd, { afterSigning: flip });
    expect(tampered.status).toBe(401);
    const changed = await graphqlRequest(core, request(), frontEnd, {
      sendBody: JSON.stringify({ query: GET, variables: { id: 'another' } }),
    });
    expect(changed).toEqual({
      status: 401,
      body: {
        errors: [
          expect.objectContaining({
            errorType: 'UnauthorizedException',
            message: expect.stringMatching(/does not match/),
          }),
        ],
      },
    });
  });
});

describe("the actor: the caller's identity in every event, never the input's", () => {
  it('refuses an actor in the input (not in the schema) and ignores an unsigned x-core-user header', async () => {
    const events = core.metrics().busEvents;
    const input = {
      userId: 'guest-a',
      roomId: 'r',
      dateStart: day(40),
      dateEnd: day(41),
      actor: { kind: 'system', id: 'root' },
    };
    const spoofed = await graphqlRequest(core, { query: CREATE, variables: { input } }, frontEnd);
    expect(spoofed.body).toMatchObject({
      data: null,
      errors: [expect.objectContaining({ message: expect.stringMatching(/"actor" is not defined/) })],
    });
    expect(core.metrics().busEvents).toBe(events);

    const id = await reservationOf('guest-a');
    const cancel = { query: CANCEL, variables: { input: { id } } };
    const unsigned = await graphqlRequest(core, cancel, frontEnd, {
      afterSigning: (headers) => (headers['x-core-user'] = 'guest-a'),
    });
    expect(unsigned.body.errors).toEqual([expect.objectContaining({ errorType: 'Forbidden' })]);
  });

  it("stores the front-end server's principal and the user it signed for in the event's metadata", async () => {
    const id = await reservationOf('guest-meta');
    const read = await awsRequest(
      core,
      'dynamodb',
      'Query',
      {
        TableName: table.name,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: id } },
      },
      core.credentialsOf('Reservation/QueryHandler'),
    );
    const [item] = read.body.Items as Record<string, AttributeValue>[];
    if (item === undefined) throw new Error(`no commit of ${id}`);
    const [event] = fromCommitItem(item).commit.events;
    expect(event?.actor).toEqual({
      kind: 'iam',
      id: 'arn:aws:iam::000000000000:user/local-front-end-server',
      userId: 'guest-meta',
      roles: [],
    });
  });
});
