/**
 * The real-time protocol message by message, with a raw `ws` client: handshake forms, keep-alive,
 * start/stop, protocol errors, filtering rules and TLS.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  API_KEY,
  IAM_ALLOWED,
  apiKeyStart,
  base64Json,
  base64UrlJson,
  openRealtime,
  postWithIam,
  signedHeaders,
  startTestApi,
  type RawRealtimeClient,
  type TestApi,
} from './appsync-fixtures';
import { createLocalCertificate } from '../src/appsync';

const execFileAsync = promisify(execFile);

const ON_NOTIFICATION =
  'subscription On($id: ID, $commandId: ID) { onNotification(id: $id, commandId: $commandId) { id status } }';

function notify(
  input: Record<string, unknown>,
  selection = '{ id commandId status }',
): { query: string; variables: object } {
  return { query: `mutation N($input: NotifyInput!) { notify(input: $input) ${selection} }`, variables: { input } };
}

describe('real-time protocol', () => {
  let t: TestApi;
  const opened: RawRealtimeClient[] = [];

  beforeAll(async () => {
    t = await startTestApi();
  });

  afterAll(async () => {
    for (const client of opened) {
      client.socket.terminate();
    }
    await t.close();
  });

  /** Connects with the documented `?header=…&payload=e30=` form and the API key. */
  async function connectWithQueryHeader(
    authorization: object = { host: t.host, 'x-api-key': API_KEY },
  ): Promise<RawRealtimeClient> {
    const client = await openRealtime(
      `${t.realtimeUrl}?header=${encodeURIComponent(base64Json(authorization))}&payload=e30=`,
      ['graphql-ws'],
    );
    opened.push(client);
    return client;
  }

  async function connected(): Promise<RawRealtimeClient> {
    const client = await connectWithQueryHeader();
    client.send({ type: 'connection_init' });
    await client.nextMessage();
    return client;
  }

  /** Starts a subscription with the API key and waits for `start_ack`. */
  async function started(
    client: RawRealtimeClient,
    id: string,
    variables: Record<string, unknown>,
    query = ON_NOTIFICATION,
  ): Promise<void> {
    client.send(apiKeyStart(id, t.host, query, variables));
    expect(await client.nextMessage()).toEqual({ type: 'start_ack', id });
  }

  it('accepts the header query parameter, acknowledges, keeps alive, delivers and completes', async () => {
    const client = await connectWithQueryHeader();
    expect(client.socket.protocol).toBe('graphql-ws');

    client.send({ type: 'connection_init' });
    expect(await client.messages.next()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    expect(await client.messages.next()).toEqual({ type: 'ka' });

    await started(client, 'sub-1', { id: 'Q-1' });
    await postWithIam(t.url, notify({ id: 'Q-1', commandId: 'c-1', status: 'DONE' }), IAM_ALLOWED);
    expect(await client.nextMessage()).toEqual({
      type: 'data',
      id: 'sub-1',
      payload: { data: { onNotification: { id: 'Q-1', status: 'DONE' } } },
    });

    client.send({ type: 'stop', id: 'sub-1' });
    expect(await client.nextMessage()).toEqual({ type: 'complete', id: 'sub-1' });
  });

  it('sends ka messages periodically', async () => {
    const client = await connected();

    await client.messages.nextMatching((m) => m.type === 'ka');
    expect(await client.messages.nextMatching((m) => m.type === 'ka')).toEqual({ type: 'ka' });
  });

  it('accepts the header-<base64url> subprotocol form and picks graphql-ws', async () => {
    const client = await openRealtime(t.realtimeUrl, [
      'graphql-ws',
      `header-${base64UrlJson({ host: t.host, 'x-api-key': API_KEY })}`,
    ]);
    opened.push(client);

    client.send({ type: 'connection_init' });
    expect(client.socket.protocol).toBe('graphql-ws');
    expect((await client.nextMessage()).type).toBe('connection_ack');
  });

  it('answers bad connection credentials with connection_error 401, then closes', async () => {
    const client = await connectWithQueryHeader({ host: t.host, 'x-api-key': 'da2-wrong' });

    client.send({ type: 'connection_init' });
    expect(await client.nextMessage()).toEqual({
      type: 'connection_error',
      payload: {
        errors: [
          { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 },
        ],
      },
    });
    await client.closed;
  });

  it('answers a connection without credentials with connection_error 401', async () => {
    const client = await openRealtime(t.realtimeUrl, ['graphql-ws']);
    opened.push(client);

    client.send({ type: 'connection_init' });
    const message = await client.nextMessage();
    expect(message.type).toBe('connection_error');
    expect(message.payload).toMatchObject({ errors: [{ errorType: 'UnauthorizedException', errorCode: 401 }] });
  });

  it('refuses an upgrade that does not offer graphql-ws', async () => {
    await expect(
      openRealtime(
        `${t.realtimeUrl}?header=${encodeURIComponent(base64Json({ host: t.host, 'x-api-key': API_KEY }))}`,
        ['graphql-transport-ws'],
      ),
    ).rejects.toThrow(/400/);
  });

  it('reports a duplicate subscription id with DuplicatedOperationError', async () => {
    const client = await connected();
    await started(client, 'dup', { id: 'D-1' });

    client.send(apiKeyStart('dup', t.host, ON_NOTIFICATION, { id: 'D-2' }));
    expect(await client.nextMessage()).toEqual({
      type: 'error',
      id: 'dup',
      payload: { errors: [{ errorType: 'DuplicatedOperationError', message: 'Duplicated operation with id dup' }] },
    });
  });

  it('refuses a query or a mutation with UnsupportedOperation', async () => {
    const client = await connected();

    client.send(apiKeyStart('q', t.host, '{ whoami }'));
    expect(await client.nextMessage()).toEqual({
      type: 'error',
      id: 'q',
      payload: {
        errors: [{ errorType: 'UnsupportedOperation', message: 'query not supported through the realtime channel' }],
      },
    });
  });

  it('reports a subscription that does not validate', async () => {
    const client = await connected();

    client.send(apiKeyStart('v', t.host, 'subscription { onNotification { nope } }'));
    expect(await client.nextMessage()).toEqual({
      type: 'error',
      id: 'v',
      payload: { errors: [{ message: 'Cannot query field "nope" on type "Notification".' }] },
    });
  });

  it('accepts a start signed with SigV4 over the data string, and refuses a bad signature', async () => {
    const client = await connected();
    const data = JSON.stringify({ query: ON_NOTIFICATION, variables: { id: 'S-1' } });
    const good = await signedHeaders(t.url, data, IAM_ALLOWED);
    const bad = await signedHeaders(t.url, data, { ...IAM_ALLOWED, secretAccessKey: 'wrong' });

    client.send({ id: 'good', type: 'start', payload: { data, extensions: { authorization: good } } });
    expect(await client.nextMessage()).toEqual({ type: 'start_ack', id: 'good' });
    client.send({ id: 'bad', type: 'start', payload: { data, extensions: { authorization: bad } } });
    expect(await client.nextMessage()).toEqual({
      type: 'error',
      id: 'bad',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'Permission denied' }] },
    });
  });

  it('refuses a start whose signature covers another data string', async () => {
    const client = await connected();
    const data = JSON.stringify({ query: ON_NOTIFICATION, variables: { id: 'S-2' } });
    const signedForOther = await signedHeaders(
      t.url,
      JSON.stringify({ query: ON_NOTIFICATION, variables: {} }),
      IAM_ALLOWED,
    );

    client.send({ id: 'swap', type: 'start', payload: { data, extensions: { authorization: signedForOther } } });
    expect((await client.nextMessage()).type).toBe('error');
  });

  it('sends an error instead of data when a non-null field the subscriber selected was not selected by the mutation', async () => {
    const client = await connected();
    await started(client, 'nn', { id: 'N-1' });

    await postWithIam(t.url, notify({ id: 'N-1', commandId: 'c', status: 'DONE' }, '{ id commandId }'), IAM_ALLOWED);

    expect(await client.nextMessage()).toEqual({
      type: 'data',
      id: 'nn',
      payload: {
        data: { onNotification: null },
        errors: [
          {
            path: ['onNotification', 'status'],
            locations: null,
            message:
              "Cannot return null for non-nullable type: 'String' within parent 'Notification' (/onNotification/status)",
          },
        ],
      },
    });
  });

  it('never matches a filter on a field the mutation did not select', async () => {
    const client = await connected();
    await started(client, 'cf', { commandId: 'c-F' });

    await postWithIam(t.url, notify({ id: 'F-1', commandId: 'c-F', status: 'UNSEEN' }, '{ id status }'), IAM_ALLOWED);
    await postWithIam(t.url, notify({ id: 'F-2', commandId: 'c-F', status: 'SEEN' }), IAM_ALLOWED);

    expect(await client.nextMessage()).toEqual({
      type: 'data',
      id: 'cf',
      payload: { data: { onNotification: { id: 'F-2', status: 'SEEN' } } },
    });
  });

  it('ANDs the arguments, and treats an explicit null argument as no filter', async () => {
    const client = await connected();
    await started(client, 'and', { id: 'G-1', commandId: 'c-G' });
    await started(client, 'null', { id: null, commandId: 'c-H' });

    await postWithIam(t.url, notify({ id: 'G-1', commandId: 'c-other', status: 'WRONG-COMMAND' }), IAM_ALLOWED);
    await postWithIam(t.url, notify({ id: 'G-1', commandId: 'c-G', status: 'BOTH' }), IAM_ALLOWED);
    await postWithIam(t.url, notify({ id: 'any', commandId: 'c-H', status: 'ANY-ID' }), IAM_ALLOWED);

    const first = await client.nextMessage();
    const second = await client.nextMessage();
    expect([first, second]).toEqual([
      { type: 'data', id: 'and', payload: { data: { onNotification: { id: 'G-1', status: 'BOTH' } } } },
      { type: 'data', id: 'null', payload: { data: { onNotification: { id: 'any', status: 'ANY-ID' } } } },
    ]);
  });

  it('counts connections and messages', () => {
    const { metrics } = t.api;

    expect(metrics.connectionsOpened).toBeGreaterThanOrEqual(opened.length);
    expect(metrics.realtimeMessagesIn).toBeGreaterThan(0);
    expect(metrics.realtimeMessagesOut).toBeGreaterThan(0);
    expect(metrics.connectionMinutes).toBeGreaterThan(0);
  });
});

describe('real-time protocol over TLS', () => {
  it('serves wss:// with a generated certificate that a client trusting it accepts', async () => {
    const certificate = await createLocalCertificate();
    const t = await startTestApi({}, certificate);
    try {
      const header = encodeURIComponent(base64Json({ host: t.host, 'x-api-key': API_KEY }));
      // `ca` here plays the part of NODE_EXTRA_CA_CERTS, which Node reads only at start-up.
      const client = await openRealtime(`${t.realtimeUrl}?header=${header}&payload=e30=`, ['graphql-ws'], {
        ca: certificate.cert,
      });
      client.send({ type: 'connection_init' });
      expect((await client.nextMessage()).type).toBe('connection_ack');
      client.socket.terminate();
    } finally {
      await t.close();
    }
  });

  it('is trusted by a Node process started with NODE_EXTRA_CA_CERTS', async () => {
    const certificate = await createLocalCertificate();
    const t = await startTestApi({}, certificate);
    const folder = await mkdtemp(join(tmpdir(), 'appsync-cert-'));
    try {
      const certFile = join(folder, 'cert.pem');
      await writeFile(certFile, certificate.cert);
      const script = `fetch(${JSON.stringify(t.url)}, { method: 'POST', headers: { 'x-api-key': ${JSON.stringify(API_KEY)} }, body: '{"query":"{ __typename }"}' })
        .then((r) => r.text()).then((text) => process.stdout.write(text))`;
      const { stdout } = await execFileAsync(process.execPath, ['-e', script], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
      });
      expect(JSON.parse(stdout)).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await rm(folder, { recursive: true, force: true });
      await t.close();
    }
  });

  it('is refused by a client that does not trust it', async () => {
    const certificate = await createLocalCertificate();
    const t = await startTestApi({}, certificate);
    try {
      await expect(openRealtime(t.realtimeUrl, ['graphql-ws'])).rejects.toThrow(/self-signed|self signed/);
    } finally {
      await t.close();
    }
  });
});
