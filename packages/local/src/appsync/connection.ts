/**
 * One client's real-time connection: the messages of AppSync's `graphql-ws` dialect, in order,
 * and the subscriptions started on it.
 */
import type { GraphQLObjectType } from 'graphql';
import type { RawData, WebSocket } from 'ws';
import { authenticate, normalizeHeaders, type AuthConfig, type AuthOutcome, type Caller } from './auth';
import { AppSyncFieldError } from '../errors';
import { UNAUTHORIZED_FIELD, UNAUTHORIZED_REQUEST, describeError, type AppSyncRequestError } from './error-format';
import type { Executor, GraphQLRequest, PreparedRequest, SubscriptionRoot } from './execute';
import { isRecord, parseJson } from './json';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from './limits';
import { fieldAccessError, resolverKey, runResolver, type ResolverContext, type ResolverDeps } from './resolvers';
import { isSigV4Authorization } from '../iam/sigv4';
import { filterOf, type RegisteredSubscription, type SubscriptionRegistry } from './subscriptions';

/** What AppSync announces in `connection_ack`. */
export const CONNECTION_TIMEOUT_MS = 300_000;

/** What the real-time endpoint needs. */
export interface RealtimeDeps {
  readonly auth: AuthConfig;
  readonly executor: Executor;
  readonly resolverDeps: ResolverDeps;
  readonly registry: SubscriptionRegistry;
  readonly keepAliveIntervalMs: number;
  readonly counters: RealtimeCounters;
  /** Whether a connection's `Host` header is served. */
  readonly acceptsHost: (host: string | undefined) => boolean;
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

function rawToString(data: RawData): string {
  if (Array.isArray(data)) {
    return Buffer.concat(data).toString('utf8');
  }
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function unauthorizedErrors(message: string, errorCode?: number): AppSyncRequestError[] {
  return [{ errorType: UNAUTHORIZED_REQUEST, message, ...(errorCode === undefined ? {} : { errorCode }) }];
}

/** What a `start` message carries. */
interface StartPayload {
  /** The JSON string of `{query, variables}`; IAM signatures cover exactly this text. */
  readonly data: string;
  readonly request: GraphQLRequest;
  readonly authorization: Record<string, unknown> | undefined;
}

function parseStartPayload(payload: unknown): StartPayload | undefined {
  const data = isRecord(payload) && typeof payload.data === 'string' ? payload.data : undefined;
  const request = data === undefined ? undefined : parseJson(data);
  if (data === undefined || !isRecord(request) || typeof request.query !== 'string') {
    return undefined;
  }
  const authorization =
    isRecord(payload) && isRecord(payload.extensions) ? payload.extensions.authorization : undefined;
  return {
    data,
    request: {
      query: request.query,
      variables: isRecord(request.variables) ? request.variables : null,
      operationName: typeof request.operationName === 'string' ? request.operationName : null,
    },
    authorization: isRecord(authorization) ? authorization : undefined,
  };
}

/** A `start` whose operation passed the checks. */
interface CheckedSubscription {
  readonly prepared: PreparedRequest;
  readonly root: SubscriptionRoot;
  readonly subscriptionType: GraphQLObjectType;
}

/** One subscription on one connection. */
interface ConnectionSubscription {
  readonly registered: RegisteredSubscription;
  readonly prepared: PreparedRequest;
  readonly context: ResolverContext;
  deliveries: Promise<void>;
}

/** One client's WebSocket, after the upgrade. */
export class RealtimeConnection {
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
      this.queue = this.queue
        .then(() => this.handle(data))
        .catch((error: unknown) => deps.log('appsync realtime failure', { error: describeError(error) }));
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
      this.send({
        type: 'connection_error',
        payload: { errors: unauthorizedErrors(this.connectionAuth.message, 401) },
      });
      this.socket.close(1000);
      return;
    }
    const message = parseJson(rawToString(data));
    if (!isRecord(message) || typeof message.type !== 'string') {
      this.sendError(undefined, [
        { errorType: 'BadRequestException', message: 'A message must be a JSON object with a "type".' },
      ]);
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
        this.sendError(id, [
          { errorType: 'UnsupportedOperation', message: `Message type ${message.type.slice(0, 32)} is not supported.` },
        ]);
    }
  }

  private async start(id: string | undefined, payload: unknown, connectionCaller: Caller): Promise<void> {
    if (!id) {
      this.sendError(undefined, [{ errorType: 'BadRequestException', message: 'A start message needs an id.' }]);
      return;
    }
    if (this.subscriptions.has(id)) {
      this.sendError(id, [
        { errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id.slice(0, 64)}` },
      ]);
      return;
    }
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      this.sendError(id, [
        {
          errorType: 'MaxSubscriptionsReachedError',
          message: `Max number of ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions reached`,
        },
      ]);
      return;
    }
    const start = parseStartPayload(payload);
    if (!start) {
      this.sendError(id, [
        { errorType: 'BadRequestException', message: 'payload.data must be a JSON string of {query, variables}.' },
      ]);
      return;
    }
    const caller = await this.authenticateStart(id, start.authorization, start.data, connectionCaller);
    const checked = caller && this.checkSubscription(id, start.request, caller);
    if (!caller || !checked) {
      return;
    }
    const context: ResolverContext = {
      caller,
      headers: start.authorization ? normalizeHeaders(start.authorization) : {},
    };
    if (!(await this.runStartResolver(id, checked, context)) || this.closed || this.subscriptions.has(id)) {
      return;
    }
    const { field, args } = checked.root;
    const subscription: ConnectionSubscription = {
      prepared: checked.prepared,
      context,
      deliveries: Promise.resolve(),
      registered: {
        fieldName: field.name,
        filter: filterOf(args),
        deliver: (event) => this.deliver(id, subscription, event),
      },
    };
    this.subscriptions.set(id, subscription);
    this.deps.registry.add(subscription.registered);
    this.send({ type: 'start_ack', id });
    this.startKeepAlive();
    this.deps.log('appsync subscription started', {
      id,
      field: field.name,
      filter: subscription.registered.filter,
      mode: caller.mode,
    });
  }

  /**
   * Validates the operation of a `start`: one subscription field, arguments that coerce, and a
   * caller the field's auth rules admit. Sends the error and returns `undefined` on failure.
   */
  private checkSubscription(id: string, request: GraphQLRequest, caller: Caller): CheckedSubscription | undefined {
    const prepared = this.deps.executor.prepare(request);
    if (!prepared.ok) {
      this.sendError(
        id,
        (prepared.body.errors ?? []).map(({ errorType, message }) => ({
          ...(errorType === undefined ? {} : { errorType }),
          message,
        })),
      );
      return undefined;
    }
    const operation = prepared.request.operation.operation;
    if (operation !== 'subscription') {
      this.sendError(id, [
        { errorType: 'UnsupportedOperation', message: `${operation} not supported through the realtime channel` },
      ]);
      return undefined;
    }
    const root = this.deps.executor.subscriptionRoot(prepared.request);
    const subscriptionType = this.deps.resolverDeps.appSchema.schema.getSubscriptionType();
    if (!root.ok || !subscriptionType) {
      this.sendError(
        id,
        root.ok
          ? [{ message: 'The schema has no Subscription type.' }]
          : root.errors.map(({ errorType, message }) => ({
              ...(errorType === undefined ? {} : { errorType }),
              message,
            })),
      );
      return undefined;
    }
    const denied = fieldAccessError(this.deps.resolverDeps, caller, subscriptionType, root.root.field.name);
    if (denied) {
      this.sendError(id, [{ errorType: UNAUTHORIZED_FIELD, message: denied.message }]);
      return undefined;
    }
    return { prepared: prepared.request, root: root.root, subscriptionType };
  }

  /**
   * Runs the resolver attached to the subscription field, if any: once, at start, and its error
   * refuses the subscription. Returns whether the subscription may go on.
   */
  private async runStartResolver(id: string, checked: CheckedSubscription, context: ResolverContext): Promise<boolean> {
    const { field, fieldNode, args } = checked.root;
    const resolver = this.deps.resolverDeps.resolvers.get(resolverKey(checked.subscriptionType.name, field.name));
    if (!resolver) {
      return true;
    }
    try {
      await runResolver(this.deps.resolverDeps, resolver, {
        source: null,
        args,
        context,
        parentType: checked.subscriptionType,
        field,
        fieldNode,
        fragments: checked.prepared.fragments,
        variables: checked.prepared.variables,
      });
      return true;
    } catch (error) {
      const errorType = error instanceof AppSyncFieldError ? error.errorType : 'Lambda:Unhandled';
      this.sendError(id, [{ errorType, message: describeError(error) }]);
      return false;
    }
  }

  /**
   * The caller of a `start`, from its own `extensions.authorization`, which AppSync requires; the
   * connection's credentials don't stand in for it. Sends the error and returns `undefined` on failure.
   */
  private async authenticateStart(
    id: string,
    authorization: Record<string, unknown> | undefined,
    dataString: string,
    connectionCaller: Caller,
  ): Promise<Caller | undefined> {
    if (!authorization) {
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
