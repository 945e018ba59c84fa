/**
 * Shared set-up of the AppSync endpoint tests: a small schema, a fake Lambda runner standing in for
 * the real one, IAM principals, a real HTTP(S) server on 127.0.0.1, and small clients.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import WebSocket from 'ws';
import {
  createAppSyncApi,
  type AppSyncApiOptions,
  type IamPrincipal,
  type LambdaResult,
  type LocalAppSyncApi,
} from '../src/appsync';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
export const API_ID = 'localapi';
export const API_KEY = 'da2-localtestkey0000000000';

/** The schema as it would be deployed: AppSync directives and scalars used, not declared. */
export const TEST_SCHEMA = /* GraphQL */ `
  type Command @aws_api_key @aws_iam {
    commandId: ID!
    status: String!
  }

  type Notification @aws_api_key @aws_iam {
    id: ID!
    commandId: ID!
    status: String!
    detail: AWSJSON
    at: AWSDateTime
  }

  input NotifyInput {
    id: ID!
    commandId: ID!
    status: String!
    detail: AWSJSON
    at: AWSDateTime
  }

  type Reservation {
    id: ID!
    note: String
    secret: String @aws_iam
  }

  type Query {
    reservation(id: ID!): Reservation
    whoami: String @aws_api_key @aws_iam
  }

  type Mutation {
    reserve(id: ID!, note: String): Command
    notify(input: NotifyInput!): Notification @aws_iam
  }

  type Subscription {
    onNotification(id: ID, commandId: ID): Notification @aws_subscribe(mutations: ["notify"]) @aws_api_key @aws_iam
    onCommand(commandId: ID): Command @aws_subscribe(mutations: ["reserve"]) @aws_iam
  }
`;

export const RESERVE_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:reserve`;
export const QUERY_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:query`;

/** SigV4 credentials of a test principal. */
export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export const IAM_ALLOWED: TestCredentials = { accessKeyId: 'AKIALOCALALLOWED0001', secretAccessKey: 'allowed-secret' };
export const IAM_TEMPORARY: TestCredentials = {
  accessKeyId: 'ASIALOCALTEMPORARY01',
  secretAccessKey: 'temporary-secret',
  sessionToken: 'session-token-of-the-temporary-credentials',
};
/** A principal whose policy doesn't allow `Mutation.notify`. */
export const IAM_NO_NOTIFY: TestCredentials = {
  accessKeyId: 'AKIALOCALNONOTIFY001',
  secretAccessKey: 'no-notify-secret',
};

function principal(name: string, credentials: TestCredentials, allows: (arn: string) => boolean): IamPrincipal {
  return {
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    userArn: `arn:aws:iam::${ACCOUNT_ID}:user/${name}`,
    principalArn: `arn:aws:iam::${ACCOUNT_ID}:user/${name}`,
    username: name,
    accountId: ACCOUNT_ID,
    decide: ({ action, resource }) => (action === 'appsync:GraphQL' && allows(resource) ? 'allow' : 'implicit-deny'),
  };
}

export function testPrincipals(): Map<string, IamPrincipal> {
  const notifyArn = `arn:aws:appsync:${REGION}:${ACCOUNT_ID}:apis/${API_ID}/types/Mutation/fields/notify`;
  return new Map([
    [IAM_ALLOWED.accessKeyId, principal('notifier', IAM_ALLOWED, () => true)],
    [IAM_TEMPORARY.accessKeyId, principal('temporary', IAM_TEMPORARY, () => true)],
    [IAM_NO_NOTIFY.accessKeyId, principal('no-notify', IAM_NO_NOTIFY, (arn) => arn !== notifyArn)],
  ]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The stand-in for the Lambda runner: `reserve` accepts any id but "taken", which fails the way a
 * thrown `RoomTakenError` does; `query` answers `reservation` and `whoami`.
 */
export function fakeLambda(
  invocations: Array<{ functionArn: string; event: unknown }>,
): AppSyncApiOptions['invokeLambda'] {
  return async (functionArn, event): Promise<LambdaResult> => {
    invocations.push({ functionArn, event });
    const args = isRecord(event) && isRecord(event.arguments) ? event.arguments : {};
    const info = isRecord(event) && isRecord(event.info) ? event.info : {};
    if (functionArn === RESERVE_ARN) {
      if (args.id === 'taken') {
        return { ok: false, errorType: 'RoomTakenError', errorMessage: 'Room is already booked' };
      }
      return { ok: true, value: { commandId: `cmd-${String(args.id)}`, status: 'ACCEPTED', ignored: undefined } };
    }
    if (functionArn === QUERY_ARN && info.fieldName === 'reservation') {
      return { ok: true, value: { id: args.id, note: 'window seat', secret: 'door code 1234' } };
    }
    if (functionArn === QUERY_ARN && info.fieldName === 'whoami') {
      const identity = isRecord(event) && isRecord(event.identity) ? event.identity : undefined;
      return { ok: true, value: identity ? String(identity.username) : 'api-key' };
    }
    throw new Error(`No fake for ${functionArn}`);
  };
}

/** One line the API logged. */
export interface LogEntry {
  readonly line: string;
  readonly fields: Record<string, unknown>;
}

/** A running test API and what it recorded. */
export interface TestApi {
  readonly api: LocalAppSyncApi;
  readonly url: string;
  readonly realtimeUrl: string;
  readonly host: string;
  readonly invocations: Array<{ functionArn: string; event: unknown }>;
  /** Resolves once `count` log entries named `line` and passing `matches` have been logged. */
  waitForLog(line: string, matches?: (fields: Record<string, unknown>) => boolean, count?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the API on 127.0.0.1, port 0, over HTTP or (with `tls`) HTTPS. */
export async function startTestApi(
  overrides: Partial<AppSyncApiOptions> = {},
  tls?: { key: string; cert: string },
): Promise<TestApi> {
  const invocations: Array<{ functionArn: string; event: unknown }> = [];
  const entries: LogEntry[] = [];
  const waiters = new Set<() => void>();
  const api = createAppSyncApi({
    schema: TEST_SCHEMA,
    apiId: API_ID,
    region: REGION,
    accountId: ACCOUNT_ID,
    defaultAuth: 'API_KEY',
    additionalAuth: ['AWS_IAM'],
    apiKeys: [API_KEY],
    iamPrincipals: testPrincipals(),
    resolvers: [
      { typeName: 'Mutation', fieldName: 'reserve', kind: 'LAMBDA', functionArn: RESERVE_ARN },
      { typeName: 'Mutation', fieldName: 'notify', kind: 'NONE' },
      { typeName: 'Query', fieldName: 'reservation', kind: 'LAMBDA', functionArn: QUERY_ARN },
      { typeName: 'Query', fieldName: 'whoami', kind: 'LAMBDA', functionArn: QUERY_ARN },
    ],
    invokeLambda: fakeLambda(invocations),
    keepAliveIntervalMs: 200,
    log: (line, fields = {}) => {
      entries.push({ line, fields });
      for (const wake of [...waiters]) {
        wake();
      }
    },
    ...overrides,
  });
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void api.handleHttp(req, res, Buffer.concat(chunks)).then((handled) => {
        if (!handled) {
          res.writeHead(404).end();
        }
      });
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  api.attachRealtime(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const scheme = tls ? 'https' : 'http';
  return {
    api,
    url: `${scheme}://${host}/graphql`,
    realtimeUrl: `${tls ? 'wss' : 'ws'}://${host}/graphql/realtime`,
    host,
    invocations,
    waitForLog: (line, matches = () => true, count = 1) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (entries.filter((e) => e.line === line && matches(e.fields)).length >= count) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
    close: async () => {
      await api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Signs `POST <url>` with SigV4 for AppSync and returns the headers to send. */
export async function signedHeaders(
  url: string,
  body: string,
  credentials: TestCredentials,
  options: { signingDate?: Date; extraHeaders?: Record<string, string> } = {},
): Promise<Record<string, string>> {
  const { hostname, host, pathname } = new URL(url);
  const signer = new SignatureV4({ credentials, region: REGION, service: 'appsync', sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'https:',
      hostname,
      path: pathname,
      headers: { host, 'content-type': 'application/json', ...options.extraHeaders },
      body,
    }),
    { signingDate: options.signingDate },
  );
  return signed.headers;
}

/** The answer of a raw HTTP call. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** POSTs a body to the endpoint with the given headers (`host` is left to fetch). */
export async function post(url: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> {
  const sent = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'host'));
  const response = await fetch(url, { method: 'POST', headers: sent, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

export function postWithApiKey(url: string, request: object, apiKey = API_KEY): Promise<HttpAnswer> {
  return post(url, JSON.stringify(request), { 'content-type': 'application/json', 'x-api-key': apiKey });
}

export async function postWithIam(url: string, request: object, credentials: TestCredentials): Promise<HttpAnswer> {
  const body = JSON.stringify(request);
  return post(url, body, await signedHeaders(url, body, credentials));
}

/** A queue of things that arrive asynchronously, read in order. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiting: Array<(item: T) => void> = [];

  push(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter(item);
    } else {
      this.items.push(item);
    }
  }

  /** The next item, waiting for it if none is queued. */
  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) {
      return Promise.resolve(item);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next item that passes `matches`; items before it are dropped. */
  async nextMatching(matches: (item: T) => boolean): Promise<T> {
    for (;;) {
      const item = await this.next();
      if (matches(item)) {
        return item;
      }
    }
  }
}

/** A real-time protocol message as received. */
export type RealtimeMessage = { type: string; id?: string; payload?: unknown } & Record<string, unknown>;

/** A raw `ws` client of the real-time endpoint. */
export interface RawRealtimeClient {
  readonly socket: WebSocket;
  readonly messages: Inbox<RealtimeMessage>;
  readonly closed: Promise<number>;
  send(message: object): void;
  /** The next message that is not a keep-alive. */
  nextMessage(): Promise<RealtimeMessage>;
}

export async function openRealtime(
  url: string,
  protocols: string[],
  options: WebSocket.ClientOptions = {},
): Promise<RawRealtimeClient> {
  const socket = new WebSocket(url, protocols, options);
  const messages = new Inbox<RealtimeMessage>();
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as RealtimeMessage));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    nextMessage: () => messages.nextMatching((m) => m.type !== 'ka'),
  };
}

export function base64Json(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64');
}

export function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The `start` message of a subscription authorized with the API key. */
export function apiKeyStart(
  id: string,
  host: string,
  query: string,
  variables: Record<string, unknown> = {},
  apiKey = API_KEY,
): object {
  return {
    id,
    type: 'start',
    payload: {
      data: JSON.stringify({ query, variables }),
      extensions: { authorization: { host, 'x-api-key': apiKey } },
    },
  };
}
