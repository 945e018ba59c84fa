/**
 * AppSync's quotas and an API's limits on the local endpoint (src/appsync/limits.ts): 100
 * subscriptions per connection, the 240 KB subscription payload and real-time message, a
 * connection's Host, and the API's introspection, query depth and resolver count settings.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import {
  API_KEY,
  IAM_ALLOWED,
  apiKeyStart,
  base64Json,
  openRealtime,
  postWithApiKey,
  postWithIam,
  startTestApi,
  type RawRealtimeClient,
  type TestApi,
} from './appsync-fixtures';
import { MAX_SUBSCRIPTION_PAYLOAD_BYTES } from '../src/appsync';

const ON_NOTIFICATION = 'subscription On($id: ID) { onNotification(id: $id) { id status detail } }';

describe('real-time quotas', () => {
  let t: TestApi;
  const opened: RawRealtimeClient[] = [];

  beforeAll(async () => {
    t = await startTestApi({ acceptsHost: (host) => host?.startsWith('127.0.0.1:') === true });
  });
  afterAll(async () => {
    for (const client of opened) client.socket.terminate();
    await t.close();
  });

  async function connected(): Promise<RawRealtimeClient> {
    const header = encodeURIComponent(base64Json({ host: t.host, 'x-api-key': API_KEY }));
    const client = await openRealtime(`${t.realtimeUrl}?header=${header}&payload=e30=`, ['graphql-ws']);
    opened.push(client);
    client.send({ type: 'connection_init' });
    await client.nextMessage();
    return client;
  }

  it('holds 100 subscriptions on one connection and refuses the 101st with MaxSubscriptionsReachedError', async () => {
    const client = await connected();
    for (let i = 0; i < 100; i++) client.send(apiKeyStart(`s-${i}`, t.host, ON_NOTIFICATION, { id: `Q-${i}` }));
    for (let i = 0; i < 100; i++) expect(await client.nextMessage()).toEqual({ type: 'start_ack', id: `s-${i}` });

    client.send(apiKeyStart('s-100', t.host, ON_NOTIFICATION, { id: 'Q-100' }));
    expect(await client.nextMessage()).toEqual({
      type: 'error',
      id: 's-100',
      payload: {
        errors: [{ errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 100 subscriptions reached' }],
      },
    });
    // A stopped subscription frees its place; another connection has 100 of its own.
    client.send({ type: 'stop', id: 's-0' });
    expect(await client.nextMessage()).toEqual({ type: 'complete', id: 's-0' });
    client.send(apiKeyStart('s-101', t.host, ON_NOTIFICATION, { id: 'Q-101' }));
    expect(await client.nextMessage()).toEqual({ type: 'start_ack', id: 's-101' });
    const other = await connected();
    other.send(apiKeyStart('o-1', t.host, ON_NOTIFICATION, { id: 'Q-1' }));
    expect(await other.nextMessage()).toEqual({ type: 'start_ack', id: 'o-1' });
  });

  it('closes a connection that sends a message over 240 KB (1009), and serves the next one', async () => {
    const client = await connected();
    client.socket.send('x'.repeat(240 * 1024 + 1));
    expect(await client.closed).toBe(1009);
    const again = await connected();
    again.send(apiKeyStart('after', t.host, ON_NOTIFICATION, { id: 'Q-after' }));
    expect(await again.nextMessage()).toEqual({ type: 'start_ack', id: 'after' });
  });

  it('does not deliver a publication over 240 KB, as AppSync drops it, and delivers one under it', async () => {
    const client = await connected();
    client.send(apiKeyStart('big', t.host, ON_NOTIFICATION, { id: 'BIG' }));
    expect(await client.nextMessage()).toEqual({ type: 'start_ack', id: 'big' });
    const notify = (detail: string) => ({
      query: 'mutation N($input: NotifyInput!) { notify(input: $input) { id commandId status detail } }',
      variables: { input: { id: 'BIG', commandId: 'c', status: 'DONE', detail } },
    });
    const tooBig = JSON.stringify({ blob: 'x'.repeat(MAX_SUBSCRIPTION_PAYLOAD_BYTES) });
    const answer = await postWithIam(t.url, notify(tooBig), IAM_ALLOWED);
    expect(answer.status).toBe(200);
    await t.waitForLog('appsync publication dropped');
    await postWithIam(t.url, notify('{"small":true}'), IAM_ALLOWED);
    expect(await client.nextMessage()).toMatchObject({
      type: 'data',
      id: 'big',
      payload: { data: { onNotification: { detail: '{"small":true}' } } },
    });
  });

  it('refuses the upgrade of a connection whose Host is not served', async () => {
    const header = encodeURIComponent(base64Json({ host: t.host, 'x-api-key': API_KEY }));
    const socket = new WebSocket(`${t.realtimeUrl}?header=${header}`, ['graphql-ws'], {
      headers: { host: 'evil.example' },
    });
    await expect(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))).rejects.toThrow(
      /403/,
    );
  });
});

describe("an API's introspection, query depth and resolver count limits", () => {
  let noIntrospection: TestApi;
  let shallow: TestApi;
  let fewResolvers: TestApi;

  beforeAll(async () => {
    noIntrospection = await startTestApi({ introspection: false });
    shallow = await startTestApi({ queryDepthLimit: 2 });
    fewResolvers = await startTestApi({ resolverCountLimit: 2 });
  });
  afterAll(async () => {
    await Promise.all([noIntrospection.close(), shallow.close(), fewResolvers.close()]);
  });

  it('refuses __schema and __type when introspection is disabled, and keeps __typename', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }']) {
      const refused = (await postWithApiKey(noIntrospection.url, { query })).body as {
        data: unknown;
        errors: { message: string }[];
      };
      expect(refused.data).toBeNull();
      expect(refused.errors.length).toBeGreaterThan(0);
      expect(refused.errors.filter((e) => !/^GraphQL introspection has been disabled/.test(e.message))).toEqual([]);
    }
    expect((await postWithApiKey(noIntrospection.url, { query: '{ __typename }' })).body).toEqual({
      data: { __typename: 'Query' },
    });
    expect((await postWithApiKey(shallow.url, { query: '{ __schema { queryType { name } } }' })).status).toBe(200);
  });

  it('refuses an operation that selects more levels than the depth limit, fragments included, running nothing', async () => {
    const before = shallow.invocations.length;
    const refusals = [
      '{ __type(name: "Query") { fields { name } } }',
      'query { ...Q } fragment Q on Query { __type(name: "Query") { ...F } } fragment F on __Type { fields { name } }',
      '{ reservation(id: "r") { id } deep: __type(name: "Query") { fields { name } } }',
    ];
    for (const query of refusals) {
      expect((await postWithApiKey(shallow.url, { query })).body).toEqual({
        data: null,
        errors: [
          expect.objectContaining({ message: 'Query depth limit of 2 exceeded: the operation selects 3 levels.' }),
        ],
      });
    }
    expect(shallow.invocations.length).toBe(before);
    const twoLevels = await postWithApiKey(shallow.url, { query: '{ reservation(id: "r") { id note } }' });
    expect(twoLevels.body).toEqual({ data: { reservation: { id: 'r', note: 'window seat' } } });
  });

  it('refuses an operation that would run more resolvers than the limit, aliases counted, running none', async () => {
    const before = fewResolvers.invocations.length;
    const refused = await postWithApiKey(fewResolvers.url, { query: '{ a: whoami b: whoami c: whoami }' });
    expect(refused.body).toEqual({
      data: null,
      errors: [
        expect.objectContaining({ message: 'Resolver count limit of 2 exceeded: the operation runs 3 resolvers.' }),
      ],
    });
    expect(fewResolvers.invocations.length).toBe(before);
    expect((await postWithApiKey(fewResolvers.url, { query: '{ a: whoami b: whoami }' })).body).toEqual({
      data: { a: 'api-key', b: 'api-key' },
    });
  });
});
