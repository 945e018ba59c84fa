/**
 * AppSync's real-time WebSocket protocol for GraphQL subscriptions (subprotocol `graphql-ws`, AppSync's
 * own dialect), on `/graphql/realtime`.
 *
 * Connection auth comes from the `header` query parameter (documented form) or from a
 * `header-<base64url>` subprotocol (Amplify JS v6, aws-appsync-subscription-link 4.x); both are
 * accepted. A connection whose credentials fail is still upgraded, then answered with
 * `connection_error` (errorCode 401) and closed, which is what clients expect from AppSync. Each
 * `start` carries its own credentials in `payload.extensions.authorization`; for IAM they sign
 * `POST /graphql` with the `data` string as body.
 */
import type { IncomingMessage } from 'node:http';
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { authenticate, isAuthObject, normalizeHeaders, type AuthConfig, type AuthOutcome, type Caller } from './auth';
import { AppSyncFieldError, UNAUTHORIZED_FIELD, UNAUTHORIZED_REQUEST, describeError, type AppSyncRequestError } from './errors';
import type { Executor, PreparedRequest } from './execute';
import { fieldAccessError, resolverKey, runResolver, type ResolverContext, type ResolverDeps } from './resolvers';
import { isSigV4Authorization } from './sigv4';
import { filterOf, type RegisteredSubscription, type SubscriptionRegistry } from './subscriptions';

/** The path of the real-time endpoint (AppSync's custom-domain form, which local clients use). */
export const REALTIME_PATH = '/graphql/realtime';
/** The subprotocol AppSync speaks. */
export const REALTIME_PROTOCOL = 'graphql-ws';
/** What AppSync announces in `connection_ack`. */
export const CONNECTION_TIMEOUT_MS = 300_000;

const HEADER_PROTOCOL_PREFIX = 'header-';

/** What the real-time endpoint needs. */
export interface RealtimeDeps {
  readonly auth: AuthConfig;
  readonly executor: Executor;
  readonly resolverDeps: ResolverDeps;
  readonly registry: SubscriptionRegistry;
  readonly keepAliveIntervalMs: number;
  readonly counters: RealtimeCounters;
  readonly log: (line: string, fields?: Record<string, unknown>) => void;
}

/** The real-time usage counters, updated in place. */
export interface RealtimeCounters {
  messagesOut: number;
  messagesIn: number;
  connectionsOpened: number;
  closedConnectionMs: number;
}

/** A message from the server. */
type ServerMessage =
  | { type: 'connection_ack'; payload: { connectionTimeoutMs: number } }
  | { type: 'connection_error'; payload: { errors: AppSyncRequestError[] } }
  | { type: 'ka' }
  | { type: 'start_ack' | 'complete'; id: string }
  | { type: 'data'; id: string; payload: unknown }
  | { type: 'error'; id?: string; payload: { errors: readonly AppSyncRequestError[] } };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Decodes base64 or base64url JSON, as both handshake forms send it. */
function decodeBase64Json(encoded: string): unknown {
  return parseJson(Buffer.from(encoded, 'base64').toString('utf8'));
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) {
    return Buffer.concat(data).toString('utf8');
  }
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The connection's auth object and signed body, from the subprotocol or the query string. */
function handshakeCredentials(req: IncomingMessage, url: URL): { headers: unknown; body: string } {
  const fromProtocol = offeredProtocols(req).find((p) => p.startsWith(HEADER_PROTOCOL_PREFIX));
  const encoded = fromProtocol?.slice(HEADER_PROTOCOL_PREFIX.length) ?? url.searchParams.get('header');
  const payload = url.searchParams.get('payload');
  return {
    headers: encoded ? decodeBase64Json(encoded) : undefined,
    body: payload ? Buffer.from(payload, 'base64').toString('utf8') : '{}',
  };
}

function unauthorizedErrors(message: string, errorCode?: number): AppSyncRequestError[] {
  return [{ errorType: UNAUTHORIZED_REQUEST, message, ...(errorCode === undefined ? {} : { errorCode }) }];
}

/** One subscription on one connection. */
interface ConnectionSubscription {
  readonly registered: RegisteredSubscription;
  readonly prepared: PreparedRequest;
  readonly context: ResolverContext;
  deliveries: Promise<void>;
}

/** One client's WebSocket. */
class RealtimeConnection {
  private readonly subscriptions = new Map<string, ConnectionSubscription>();
  private readonly openedAt = Date.now();
  private queue: Promise<void> = Promise.resolve();
  private keepAlive: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly connectionAuth: AuthOutcome,
    private readonly deps: RealtimeDeps,
  ) {
    socket.on('message', (data) => {
      deps.counters.messagesIn += 1;
      this.queue = this.queue.then(() => this.handle(data)).catch((error: unknown) => deps.log('appsync realtime failure', { error: describeError(error) }));
    });
    socket.on('close', () => this.dispose());
    socket.on('error', (error) => deps.log('appsync realtime socket error', { error: describeError(error) }));
  }

  /** Closes the socket at once (used when the API closes). */
  terminate(): void {
    this.socket.terminate();
    this.dispose();
  }

  /** Milliseconds this connection has been open so far. */
  get openMs(): number {
    return this.closed ? 0 : Date.now() - this.openedAt;
  }

  private send(message: ServerMessage): void {
    if (this.closed) {
      return;
    }
    if (message.type !== 'ka') {
      this.deps.counters.messagesOut += 1;
    }
    this.socket.send(JSON.stringify(message));
  }

  private sendError(id: string | undefined, errors: readonly AppSyncRequestError[]): void {
    this.send({ type: 'error', ...(id === undefined ? {} : { id }), payload: { errors } });
  }

  private startKeepAlive(): void {
    if (this.keepAlive) {
      return;
    }
    this.send({ type: 'ka' });
    this.keepAlive = setInterval(() => this.send({ type: 'ka' }), this.deps.keepAliveIntervalMs);
    this.keepAlive.unref();
  }

  private async handle(data: RawData): Promise<void> {
    if (this.closed) {
      return;
    }
    if (!this.connectionAuth.ok) {
      this.send({ type: 'connection_error', payload: { errors: unauthorizedErrors(this.connectionAuth.message, 401) } });
      this.socket.close(1000);
      return;
    }
    const message = parseJson(rawToString(data));
    if (!isRecord(message) || typeof message.type !== 'string') {
      this.sendError(undefined, [{ errorType: 'BadRequestException', message: 'A message must be a JSON object with a "type".' }]);
      return;
    }
    const id = typeof message.id === 'string' ? message.id : undefined;
    switch (message.type) {
      case 'connection_init':
        this.send({ type: 'connection_ack', payload: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS } });
        this.startKeepAlive();
        return;
      case 'start':
        await this.start(id, message.payload, this.connectionAuth.caller);
        return;
      case 'stop':
        this.stop(id);
        return;
      default:
        this.sendError(id, [{ errorType: 'UnsupportedOperation', message: `Message type ${message.type} is not supported.` }]);
    }
  }

  private async start(id: string | undefined, payload: unknown, connectionCaller: Caller): Promise<void> {
    if (!id) {
      this.sendError(undefined, [{ errorType: 'BadRequestException', message: 'A start message needs an id.' }]);
      return;
    }
    if (this.subscriptions.has(id)) {
      this.sendError(id, [{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]);
      return;
    }
    const dataString = isRecord(payload) && typeof payload.data === 'string' ? payload.data : undefined;
    const request = dataString === undefined ? undefined : parseJson(dataString);
    if (dataString === undefined || !isRecord(request) || typeof request.query !== 'string') {
      this.sendError(id, [{ errorType: 'BadRequestException', message: 'payload.data must be a JSON string of {query, variables}.' }]);
      return;
    }
    const authorization = isRecord(payload) && isRecord(payload.extensions) ? payload.extensions.authorization : undefined;
    const caller = await this.authenticateStart(id, authorization, dataString, connectionCaller);
    if (!caller) {
      return;
    }
    const variables = isRecord(request.variables) ? request.variables : null;
    const prepared = this.deps.executor.prepare({ query: request.query, variables, operationName: typeof request.operationName === 'string' ? request.operationName : null });
    if (!prepared.ok) {
      this.sendError(id, (prepared.body.errors ?? []).map((error) => ({ message: error.message })));
      return;
    }
    const operation = prepared.request.operation.operation;
    if (operation !== 'subscription') {
      this.sendError(id, [{ errorType: 'UnsupportedOperation', message: `${operation} not supported through the realtime channel` }]);
      return;
    }
    const root = this.deps.executor.subscriptionRoot(prepared.request);
    if (!root.ok) {
      this.sendError(id, root.errors.map((error) => ({ message: error.message })));
      return;
    }
    const subscriptionType = this.deps.resolverDeps.appSchema.schema.getSubscriptionType();
    const { field, fieldNode, args } = root.root;
    const denied = subscriptionType ? fieldAccessError(this.deps.resolverDeps, caller, subscriptionType, field.name) : undefined;
    if (!subscriptionType || denied) {
      this.sendError(id, [{ errorType: UNAUTHORIZED_FIELD, message: denied?.message ?? 'No subscription type' }]);
      return;
    }
    const headers = isRecord(authorization) ? normalizeHeaders(authorization) : {};
    const context: ResolverContext = { caller, headers };
    const resolver = this.deps.resolverDeps.resolvers.get(resolverKey(subscriptionType.name, field.name));
    if (resolver) {
      // A subscription's own resolver runs once, at start; its error refuses the subscription.
      try {
        await runResolver(this.deps.resolverDeps, resolver, {
          source: null,
          args,
          context,
          parentType: subscriptionType,
          field,
          fieldNode,
          fragments: prepared.request.fragments,
          variables: prepared.request.variables,
        });
      } catch (error) {
        const errorType = error instanceof AppSyncFieldError ? error.errorType : 'Lambda:Unhandled';
        this.sendError(id, [{ errorType, message: describeError(error) }]);
        return;
      }
    }
    if (this.closed || this.subscriptions.has(id)) {
      return;
    }
    const subscription: ConnectionSubscription = {
      prepared: prepared.request,
      context,
      deliveries: Promise.resolve(),
      registered: { fieldName: field.name, filter: filterOf(args), deliver: (event) => this.deliver(id, subscription, event) },
    };
    this.subscriptions.set(id, subscription);
    this.deps.registry.add(subscription.registered);
    this.send({ type: 'start_ack', id });
    this.startKeepAlive();
    this.deps.log('appsync subscription started', { id, field: field.name, filter: subscription.registered.filter, mode: caller.mode });
  }

  /**
   * The caller of a `start`, from its own `extensions.authorization`, which AppSync requires; the
   * connection's credentials don't stand in for it. Sends the error and returns `undefined` on failure.
   */
  private async authenticateStart(id: string, authorization: unknown, dataString: string, connectionCaller: Caller): Promise<Caller | undefined> {
    if (!isAuthObject(authorization)) {
      this.sendError(id, unauthorizedErrors('Missing authorization in payload.extensions.authorization'));
      return undefined;
    }
    const headers = normalizeHeaders(authorization);
    const outcome = await authenticate(
      { method: 'POST', path: '/graphql', query: {}, headers, body: dataString, sourceIp: connectionCaller.sourceIp },
      this.deps.auth,
    );
    if (!outcome.ok) {
      // AppSync answers a bad IAM signature on start with "Permission denied" (observed).
      const message = isSigV4Authorization(headers.authorization) ? 'Permission denied' : outcome.message;
      this.deps.log('appsync subscription refused', { id, reason: outcome.message });
      this.sendError(id, unauthorizedErrors(message));
      return undefined;
    }
    return outcome.caller;
  }

  private deliver(id: string, subscription: ConnectionSubscription, event: unknown): void {
    subscription.deliveries = subscription.deliveries
      .then(async () => {
        const body = await this.deps.executor.shapeEvent(subscription.prepared, subscription.context, event);
        if (this.subscriptions.get(id) === subscription) {
          this.send({ type: 'data', id, payload: body });
        }
      })
      .catch((error: unknown) => this.deps.log('appsync delivery failed', { id, error: describeError(error) }));
  }

  private stop(id: string | undefined): void {
    if (!id) {
      this.sendError(undefined, [{ errorType: 'BadRequestException', message: 'A stop message needs an id.' }]);
      return;
    }
    const subscription = this.subscriptions.get(id);
    if (subscription) {
      this.deps.registry.remove(subscription.registered);
      this.subscriptions.delete(id);
    }
    this.send({ type: 'complete', id });
  }

  private dispose(): void {
    if (this.closed) {
      return;
    }
    this.deps.counters.closedConnectionMs += Date.now() - this.openedAt;
    this.closed = true;
    clearInterval(this.keepAlive);
    for (const subscription of this.subscriptions.values()) {
      this.deps.registry.remove(subscription.registered);
    }
    this.subscriptions.clear();
  }
}

/** The real-time endpoint of one API, attachable to any number of servers. */
export class RealtimeEndpoint {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(REALTIME_PROTOCOL) ? REALTIME_PROTOCOL : false),
  });
  private readonly connections = new Set<RealtimeConnection>();
  private readonly listeners = new Map<http.Server | https.Server, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>();

  constructor(private readonly deps: RealtimeDeps) {}

  /** Milliseconds the open connections have been open. */
  get openConnectionMs(): number {
    let total = 0;
    for (const connection of this.connections) {
      total += connection.openMs;
    }
    return total;
  }

  attach(server: http.Server | https.Server): void {
    if (!this.listeners.has(server)) {
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => void this.upgrade(server, req, socket, head);
      this.listeners.set(server, listener);
      server.on('upgrade', listener);
    }
  }

  async close(): Promise<void> {
    for (const [server, listener] of this.listeners) {
      server.off('upgrade', listener);
    }
    this.listeners.clear();
    for (const connection of this.connections) {
      connection.terminate();
    }
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async upgrade(server: http.Server | https.Server, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== REALTIME_PATH) {
      // Another upgrade listener may serve this path; when there is none, answer instead of hanging.
      if (server.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
      return;
    }
    if (!offeredProtocols(req).includes(REALTIME_PROTOCOL)) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nThe ${REALTIME_PROTOCOL} subprotocol is required.`);
      return;
    }
    const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
    const credentials = handshakeCredentials(req, url);
    const outcome: AuthOutcome = isAuthObject(credentials.headers)
      ? await authenticate(
          { method: 'POST', path: '/graphql/connect', query: {}, headers: normalizeHeaders(credentials.headers), body: credentials.body, sourceIp },
          this.deps.auth,
        )
      : { ok: false, missing: true, message: 'Missing authorization' };
    if (!outcome.ok) {
      this.deps.log('appsync realtime connection refused', { reason: outcome.message });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.deps.counters.connectionsOpened += 1;
      const connection = new RealtimeConnection(ws, outcome, this.deps);
      this.connections.add(connection);
      ws.on('close', () => this.connections.delete(connection));
    });
  }
}
