/**
 * The client's engine, the same for every aggregate: sends a command (signed, retried with the same
 * command id, carrying the client's `replyTo`), keeps it open until its notification or its outcome
 * settles it, and keeps one real-time connection with one subscription per aggregate for all of it.
 */
import { randomUUID } from 'node:crypto';
import {
  AGGREGATES,
  AGGREGATE_NAMES,
  commandDocument,
  outcomeDocument,
  subscriptionDocument,
  type AggregateDescription,
  type AggregateName,
} from './aggregates';
import { createSigner } from './auth';
import { ClientUsageError, RequestRefusedError, TransportError, type CoreClientErrorCode } from './errors';
import { createGraphQLHttp, type GraphQLErrorEntry, type GraphQLHttp } from './graphql-http';
import { OpenCommands, type Accepted, type Notification } from './open-commands';
import { resolveSettings, type ClientSettings, type CoreClientOptions } from './options';
import { RealtimeChannel } from './realtime';

/** Who a front-end server acts for: signed with the request as `x-core-user` (and `x-core-user-roles`). */
export interface ActingFor {
  readonly userId: string;
  readonly roles?: readonly string[];
}

export interface SendOptions {
  readonly actingFor?: ActingFor;
}

/** The mutation's answer (accepted, not yet stored) and the promise of its outcome. */
export interface SentCommand<State> extends Accepted {
  /** The state the command stored; rejects with a `CommandRejectedError` (`CONFLICT`, `TIMEOUT`, ...). */
  readonly settled: Promise<State>;
}

/** What a watcher of one aggregate instance hears. */
export interface WatchHandlers<N> {
  /** Every notification for the instance on this client's subscription (its own commands' and a saga's). */
  readonly onNotification: (notification: N) => void;
  /** The subscription came (back) up: notifications of the time before may have been missed. */
  readonly onGap?: () => void;
}

export class CoreClientEngine {
  readonly settings: ClientSettings;
  private readonly http: GraphQLHttp;
  private readonly commands: OpenCommands;
  private readonly channel: RealtimeChannel;
  private readonly watchers = new Map<string, Set<WatchHandlers<Notification>>>();
  private closed = false;

  constructor(options: CoreClientOptions) {
    this.settings = resolveSettings(options);
    const signer = createSigner(this.settings.auth, this.settings.region);
    this.http = createGraphQLHttp(this.settings, signer);
    this.commands = new OpenCommands({
      settings: this.settings,
      readOutcome: (aggregate, id, commandId) => this.readOutcome(aggregate, id, commandId),
    });
    const subscriptions = AGGREGATE_NAMES.map((name) => ({
      key: name,
      query: subscriptionDocument(AGGREGATES[name]),
      variables: { replyTo: this.settings.replyTo },
    }));
    this.channel = new RealtimeChannel(this.settings, signer, subscriptions, {
      data: (key, payload) => this.received(key as AggregateName, payload),
      subscribed: (key) => this.resubscribed(key as AggregateName),
      disconnected: () => undefined,
    });
  }

  get openCommands(): number {
    return this.commands.size;
  }

  /** Opens the real-time connection; resolves once every aggregate's subscription is acknowledged. */
  connect(): Promise<void> {
    this.assertOpen();
    return this.channel.open();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.commands.rejectAll(new ClientUsageError('CLOSED', 'the client was closed before the command settled'));
    await this.channel.close();
  }

  async send<State>(
    aggregate: AggregateName,
    field: string,
    input: { readonly commandId?: string | null } & Record<string, unknown>,
    options: SendOptions = {},
  ): Promise<SentCommand<State>> {
    this.assertOpen();
    const description = AGGREGATES[aggregate];
    const commandId = input.commandId ?? randomUUID();
    if (this.commands.has(commandId))
      throw new ClientUsageError('COMMAND_ID_IN_USE', `command ${commandId} is still open in this client`);
    // Listening needs no wait: what the subscription misses meanwhile is read back when it is up.
    this.channel.open().catch(() => undefined);
    const settled = this.commands.begin(description, commandId) as Promise<State>;
    try {
      const response = await this.http({
        query: commandDocument(field, description.commands[field] ?? ''),
        variables: { input: { ...input, commandId, replyTo: this.settings.replyTo } },
        headers: userHeaders(options.actingFor),
      });
      const accepted = response.data?.[field] as Accepted | null | undefined;
      if (response.errors.length > 0 || accepted == null) throw refusal(response.errors, field);
      this.commands.accepted(commandId, accepted);
      return { ...accepted, settled };
    } catch (error) {
      this.commands.abandoned(commandId);
      throw error;
    }
  }

  /** A query: its field's value, or a `RequestRefusedError`. */
  async query<T>(field: string, document: string, variables: Record<string, unknown>, options: SendOptions = {}) {
    this.assertOpen();
    const response = await this.http({ query: document, variables, headers: userHeaders(options.actingFor) });
    if (response.errors.length > 0) throw refusal(response.errors, field);
    if (response.data === null || !(field in response.data))
      throw new TransportError('BAD_RESPONSE', `the answer has no ${field}`);
    return response.data[field] as T;
  }

  /** The outcome query of one command: STORED, REJECTED or PENDING. */
  readOutcome(aggregate: AggregateDescription, id: string, commandId: string): Promise<Notification | null> {
    return this.query<Notification | null>(aggregate.outcomeField, outcomeDocument(aggregate), { id, commandId });
  }

  watch(aggregate: AggregateName, id: string, handlers: WatchHandlers<Notification>): () => void {
    this.assertOpen();
    const key = `${aggregate}/${id}`;
    const set = this.watchers.get(key) ?? new Set();
    set.add(handlers);
    this.watchers.set(key, set);
    this.channel.open().catch(() => undefined);
    return () => {
      set.delete(handlers);
      if (set.size === 0) this.watchers.delete(key);
    };
  }

  private received(aggregate: AggregateName, payload: unknown): void {
    const field = AGGREGATES[aggregate].subscriptionField;
    const notification = (payload as { data?: Record<string, unknown> } | undefined)?.data?.[field] as
      Notification | null | undefined;
    if (notification == null || typeof notification.commandId !== 'string') return;
    this.commands.notified(aggregate, notification);
    for (const watcher of this.watchers.get(`${aggregate}/${notification.id}`) ?? []) {
      watcher.onNotification(notification);
    }
  }

  private resubscribed(aggregate: AggregateName): void {
    this.commands.resubscribed(aggregate);
    for (const [key, set] of this.watchers) {
      if (!key.startsWith(`${aggregate}/`)) continue;
      for (const watcher of set) watcher.onGap?.();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientUsageError('CLOSED', 'the client is closed');
  }
}

function userHeaders(actingFor: ActingFor | undefined): Record<string, string> {
  if (actingFor === undefined) return {};
  return {
    'x-core-user': actingFor.userId,
    ...(actingFor.roles === undefined || actingFor.roles.length === 0
      ? {}
      : { 'x-core-user-roles': actingFor.roles.join(',') }),
  };
}

/** The error of a refused request: the code in front of the message (`STAY_TOO_LONG: ...`), or by errorType. */
export function refusal(errors: readonly GraphQLErrorEntry[], field: string): RequestRefusedError {
  const first = errors[0];
  if (first === undefined) return new RequestRefusedError('INTERNAL', `${field} answered nothing`);
  const coded = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(first.message);
  if (coded !== null) return new RequestRefusedError(coded[1] as Uppercase<string>, coded[2] ?? '', first.errorType);
  const code: CoreClientErrorCode = /^Unauthorized/.test(first.errorType ?? '')
    ? 'UNAUTHORIZED'
    : first.errorType === undefined || first.errorType === 'ValidationError'
      ? 'INVALID_REQUEST'
      : 'INTERNAL';
  return new RequestRefusedError(code, first.message.slice(0, 300), first.errorType);
}
