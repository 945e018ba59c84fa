/**
 * The local AppSync endpoint driven by AWS's own clients (aws-appsync-auth-link and
 * aws-appsync-subscription-link on Apollo Client) and by raw HTTP, against a real server on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { AUTH_TYPE, createAuthLink, type AuthOptions } from 'aws-appsync-auth-link';
import { createSubscriptionHandshakeLink } from 'aws-appsync-subscription-link';
import WebSocket from 'ws';
import {
  API_KEY,
  IAM_ALLOWED,
  IAM_NO_NOTIFY,
  IAM_TEMPORARY,
  Inbox,
  REGION,
  RESERVE_ARN,
  post,
  postWithApiKey,
  postWithIam,
  signedHeaders,
  startTestApi,
  type TestApi,
} from './appsync-fixtures';

// Node 20 has no global WebSocket; the subscription link needs one (Lambda's Node 24 has it).
Object.assign(globalThis, { WebSocket });

// The subscription link arms a 15 s connection_ack timer per connection and never clears it, which
// keeps Jest from exiting for 15 s after the last test. Unref'd timers still fire while tests run.
const armTimer = globalThis.setTimeout;
Object.assign(globalThis, {
  setTimeout: (...args: Parameters<typeof setTimeout>) => armTimer(...args).unref(),
});

const RESERVE = 'mutation Reserve($id: ID!) { reserve(id: $id, note: "n") { commandId status } }';
const NOTIFY = `mutation Notify($input: NotifyInput!) {
  notify(input: $input) { id commandId status detail at }
}`;

function notification(id: string, status = 'DONE'): Record<string, unknown> {
  return { id, commandId: `cmd-${id}`, status, detail: JSON.stringify({ id }), at: '2026-11-28T10:00:00.000Z' };
}

/**
 * An Apollo Client wired as AWS documents it. `includeExtensions: false` matters for IAM: Apollo
 * Client 4 adds `extensions.clientLibrary` to the body after the auth link has signed a body
 * without it, and a SigV4 check (AppSync's and this endpoint's) then rejects the request.
 */
function appSyncClient(url: string, auth: AuthOptions): ApolloClient {
  const httpLink = new HttpLink({ uri: url, includeExtensions: false });
  const link = ApolloLink.from([
    createAuthLink({ url, region: REGION, auth }),
    createSubscriptionHandshakeLink({ url, region: REGION, auth }, httpLink),
  ]);
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

/** What a subscription observer received: results or an error. */
type Received = { data?: unknown; error?: unknown };

describe('local AppSync endpoint with AWS clients', () => {
  let t: TestApi;
  const clients: ApolloClient[] = [];

  beforeAll(async () => {
    t = await startTestApi();
  });

  afterAll(async () => {
    for (const client of clients) {
      client.stop();
    }
    await t.close();
  });

  function client(auth: AuthOptions): ApolloClient {
    const created = appSyncClient(t.url, auth);
    clients.push(created);
    return created;
  }

  const apiKeyAuth: AuthOptions = { type: AUTH_TYPE.API_KEY, apiKey: API_KEY };
  const iamAuth: AuthOptions = { type: AUTH_TYPE.AWS_IAM, credentials: IAM_ALLOWED };

  describe('HTTP', () => {
    it('answers a mutation authorized with the API key, through the Lambda resolver', async () => {
      const result = await client(apiKeyAuth).mutate({ mutation: gql(RESERVE), variables: { id: 'r-1' } });

      expect(result.data).toEqual({ reserve: { __typename: 'Command', commandId: 'cmd-r-1', status: 'ACCEPTED' } });
    });

    it('gives the Lambda the direct-resolver event', async () => {
      const answer = await postWithApiKey(t.url, { query: RESERVE, variables: { id: 'r-2' } });

      expect(answer.status).toBe(200);
      const invocation = t.invocations.find((i) => JSON.stringify(i.event).includes('"r-2"'));
      expect(invocation?.functionArn).toBe(RESERVE_ARN);
      expect(invocation?.event).toEqual({
        arguments: { id: 'r-2', note: 'n' },
        identity: null,
        source: null,
        request: {
          headers: expect.objectContaining({ 'x-api-key': API_KEY, 'content-type': 'application/json' }),
          domainName: null,
        },
        info: {
          fieldName: 'reserve',
          parentTypeName: 'Mutation',
          variables: { id: 'r-2' },
          selectionSetList: ['commandId', 'status'],
          selectionSetGraphQL: '{\n  commandId\n  status\n}',
        },
        prev: null,
        stash: {},
      });
    });

    it('gives the Lambda the IAM identity of a signed call', async () => {
      const answer = await postWithIam(t.url, { query: '{ whoami }' }, IAM_ALLOWED);

      expect(answer.body).toEqual({ data: { whoami: 'notifier' } });
      const invocation = t.invocations.find((i) => JSON.stringify(i.event).includes('"whoami"'));
      expect(invocation?.event).toMatchObject({
        identity: {
          accountId: '000000000000',
          cognitoIdentityPoolId: null,
          cognitoIdentityId: null,
          cognitoIdentityAuthType: null,
          cognitoIdentityAuthProvider: null,
          sourceIp: ['127.0.0.1'],
          username: 'notifier',
          userArn: 'arn:aws:iam::000000000000:user/notifier',
        },
      });
    });

    it('turns a failed Lambda into a field error with its errorType and message', async () => {
      const answer = await postWithApiKey(t.url, { query: RESERVE, variables: { id: 'taken' } });

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        data: { reserve: null },
        errors: [
          {
            path: ['reserve'],
            data: null,
            errorType: 'RoomTakenError',
            errorInfo: null,
            locations: [{ line: 1, column: 30, sourceName: null }],
            message: 'Room is already booked',
          },
        ],
      });
    });

    it('refuses the IAM-only notification mutation to the API key', async () => {
      const answer = await postWithApiKey(t.url, { query: NOTIFY, variables: { input: notification('x') } });

      expect(answer.body).toEqual({
        data: { notify: null },
        errors: [
          {
            path: ['notify'],
            data: null,
            errorType: 'Unauthorized',
            errorInfo: null,
            locations: [{ line: 2, column: 3, sourceName: null }],
            message: 'Not Authorized to access notify on type Mutation',
          },
        ],
      });
    });

    it('accepts the notification mutation signed with SigV4 by the auth link', async () => {
      const result = await client(iamAuth).mutate({ mutation: gql(NOTIFY), variables: { input: notification('y') } });

      expect(result.data).toEqual({ notify: { __typename: 'Notification', ...notification('y') } });
    });

    it('accepts temporary credentials with their session token', async () => {
      const answer = await postWithIam(
        t.url,
        { query: NOTIFY, variables: { input: notification('t') } },
        IAM_TEMPORARY,
      );

      expect(answer.body).toEqual({ data: { notify: notification('t') } });
    });

    it('answers 401 to a signature made with the wrong secret', async () => {
      const answer = await postWithIam(t.url, { query: '{ whoami }' }, { ...IAM_ALLOWED, secretAccessKey: 'wrong' });

      expect(answer.status).toBe(401);
      expect(answer.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
      expect(answer.body).toEqual({
        errors: [{ errorType: 'UnauthorizedException', message: expect.stringContaining('signature') }],
      });
    });

    it('answers 401 to an unknown access key, a missing session token and an old signature', async () => {
      const body = JSON.stringify({ query: '{ whoami }' });
      const unknownKey = await postWithIam(
        t.url,
        { query: '{ whoami }' },
        { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
      );
      const noToken = await postWithIam(t.url, { query: '{ whoami }' }, { ...IAM_TEMPORARY, sessionToken: undefined });
      const old = await post(
        t.url,
        body,
        await signedHeaders(t.url, body, IAM_ALLOWED, { signingDate: new Date(Date.now() - 10 * 60_000) }),
      );

      expect([unknownKey.status, noToken.status, old.status]).toEqual([401, 401, 401]);
    });

    it('answers 401 when the signed body is not the body sent', async () => {
      const headers = await signedHeaders(t.url, JSON.stringify({ query: '{ whoami }' }), IAM_ALLOWED);
      const answer = await post(t.url, JSON.stringify({ query: '{ __typename }' }), headers);

      expect(answer.status).toBe(401);
    });

    it("denies a root field the principal's IAM policy doesn't allow", async () => {
      const answer = await postWithIam(
        t.url,
        { query: NOTIFY, variables: { input: notification('z') } },
        IAM_NO_NOTIFY,
      );

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        data: { notify: null },
        errors: [
          { path: ['notify'], errorType: 'Unauthorized', message: 'Not Authorized to access notify on type Mutation' },
        ],
      });
    });

    it('checks auth directives at every level of the selection', async () => {
      const query = '{ reservation(id: "r-9") { id note secret } }';
      const withApiKey = await postWithApiKey(t.url, { query });
      const withIam = await postWithIam(t.url, { query }, IAM_ALLOWED);

      expect(withApiKey.body).toMatchObject({
        data: { reservation: { id: 'r-9', note: 'window seat', secret: null } },
        errors: [
          {
            path: ['reservation', 'secret'],
            errorType: 'Unauthorized',
            message: 'Not Authorized to access secret on type Reservation',
          },
        ],
      });
      expect(withIam.body).toMatchObject({
        data: { reservation: null },
        errors: [
          {
            path: ['reservation'],
            errorType: 'Unauthorized',
            message: 'Not Authorized to access reservation on type Query',
          },
        ],
      });
    });

    it('answers 401 UnauthorizedException when no credential is sent', async () => {
      const answer = await post(t.url, JSON.stringify({ query: '{ whoami }' }), { 'content-type': 'application/json' });

      expect(answer.status).toBe(401);
      expect(answer.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
      expect(answer.body).toEqual({
        errors: [{ errorType: 'UnauthorizedException', message: 'Missing authorization header' }],
      });
    });

    it('answers 401 to an API key it does not know', async () => {
      const answer = await postWithApiKey(t.url, { query: '{ whoami }' }, 'da2-unknown');

      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }],
      });
    });

    it('reports validation errors in AppSync shape', async () => {
      const answer = await postWithApiKey(t.url, { query: '{ nope }' });

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        data: null,
        errors: [
          {
            path: null,
            locations: [{ line: 1, column: 3, sourceName: null }],
            message: 'Cannot query field "nope" on type "Query".',
          },
        ],
      });
    });

    it('reports a syntax error in AppSync shape', async () => {
      const answer = await postWithApiKey(t.url, { query: '{ whoami' });

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        data: null,
        errors: [
          {
            path: null,
            locations: [{ line: 1, column: 9, sourceName: null }],
            message: 'Syntax Error: Expected Name, found <EOF>.',
          },
        ],
      });
    });

    it('answers 400 to a body that is not a GraphQL request', async () => {
      const empty = await post(t.url, '', { 'x-api-key': API_KEY });
      const meow = await post(t.url, 'meow', { 'x-api-key': API_KEY });

      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({
        errors: [{ errorType: 'MalformedHttpRequestException', message: 'Request body is empty.' }],
      });
      expect(meow.status).toBe(400);
      expect(meow.body).toEqual({
        errors: [{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }],
      });
    });

    it('leaves other paths to the caller', async () => {
      const response = await fetch(t.url.replace('/graphql', '/other'), { method: 'POST', body: '{}' });

      expect(response.status).toBe(404);
    });

    it('counts requests', () => {
      expect(t.api.metrics.requests).toBeGreaterThan(0);
    });
  });

  describe('subscriptions over the real-time protocol', () => {
    function subscribe(
      apollo: ApolloClient,
      query: string,
      variables: Record<string, unknown>,
    ): { inbox: Inbox<Received>; stop: () => void } {
      const inbox = new Inbox<Received>();
      const subscription = apollo.subscribe({ query: gql(query), variables }).subscribe({
        next: (result) => inbox.push(result),
        error: (error: unknown) => inbox.push({ error }),
      });
      return { inbox, stop: () => subscription.unsubscribe() };
    }

    const ON_NOTIFICATION = 'subscription OnNotification($id: ID) { onNotification(id: $id) { id status } }';

    it('delivers with the API key only the notification for the subscribed id, with only the selected fields', async () => {
      const subscriber = client(apiKeyAuth);
      const { inbox, stop } = subscribe(subscriber, ON_NOTIFICATION, { id: 'A' });
      await t.waitForLog('appsync subscription started', (f) => JSON.stringify(f.filter) === '{"id":"A"}');

      const notifier = client(iamAuth);
      await notifier.mutate({ mutation: gql(NOTIFY), variables: { input: notification('B') } });
      await notifier.mutate({ mutation: gql(NOTIFY), variables: { input: notification('A', 'FIRST') } });

      // B was published first: had it passed the filter, it would have arrived first.
      const received = await inbox.next();
      expect(received.error).toBeUndefined();
      expect(received.data).toEqual({ onNotification: { __typename: 'Notification', id: 'A', status: 'FIRST' } });
      stop();
    });

    it('delivers to a subscriber authorized with IAM', async () => {
      const { inbox, stop } = subscribe(
        client({ type: AUTH_TYPE.AWS_IAM, credentials: IAM_TEMPORARY }),
        ON_NOTIFICATION,
        { id: 'IAM-1' },
      );
      await t.waitForLog(
        'appsync subscription started',
        (f) => JSON.stringify(f.filter) === '{"id":"IAM-1"}' && f.mode === 'AWS_IAM',
      );

      await postWithIam(t.url, { query: NOTIFY, variables: { input: notification('IAM-1') } }, IAM_ALLOWED);

      expect((await inbox.next()).data).toEqual({
        onNotification: { __typename: 'Notification', id: 'IAM-1', status: 'DONE' },
      });
      stop();
    });

    it('publishes the result of a Lambda-resolved mutation to an IAM subscriber', async () => {
      const query = 'subscription OnCommand($commandId: ID) { onCommand(commandId: $commandId) { commandId status } }';
      const { inbox, stop } = subscribe(client(iamAuth), query, { commandId: 'cmd-L-1' });
      await t.waitForLog('appsync subscription started', (f) => JSON.stringify(f.filter) === '{"commandId":"cmd-L-1"}');

      await postWithApiKey(t.url, { query: RESERVE, variables: { id: 'L-1' } });

      expect((await inbox.next()).data).toEqual({
        onCommand: { __typename: 'Command', commandId: 'cmd-L-1', status: 'ACCEPTED' },
      });
      stop();
    });

    it('refuses an IAM-only subscription to the API key', async () => {
      const query = 'subscription { onCommand { commandId } }';
      const { inbox, stop } = subscribe(client(apiKeyAuth), query, {});

      const received = await inbox.next();
      // Apollo wraps the link's `{ errors }` in an UnconventionalError whose cause is what the link saw.
      const cause = (received.error as { cause?: unknown } | undefined)?.cause;
      expect(JSON.stringify(cause)).toContain('Not Authorized to access onCommand on type Subscription');
      stop();
    });
  });
});
