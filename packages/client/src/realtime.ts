/**
 * The one real-time connection of a client: AppSync's WebSocket protocol (subprotocol `graphql-ws`)
 * spoken with `ws`, one `start` per subscription on it, and reconnection with backoff.
 *
 * connect (credentials in a `header-<base64url>` subprotocol) → `connection_init` → `connection_ack`
 * (its `connectionTimeoutMs` is how long the connection may stay silent: each `ka` re-arms it) → a
 * signed `start` per subscription → `start_ack` → `data`. A lost connection (closed, silent past the
 * timeout, refused, or a `start` refused) is reported and opened again after a backoff with full
 * jitter; once every subscription is acknowledged again, the listener hears `subscribed` for each, so
 * its owner can read what it may have missed meanwhile.
 */
import WebSocket from 'ws';
import type { RequestSigner } from './auth';
import { backoffDelay, type ClientSettings } from './options';

/** One subscription kept on the connection. */
export interface ChannelSubscription {
  /** The subscription's id on the connection (the aggregate's name). */
  readonly key: string;
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>>;
}

export interface ChannelListener {
  /** A `data` message of the subscription `key`: its `payload`. */
  data(key: string, payload: unknown): void;
  /** The subscription `key` is acknowledged: from now on nothing published for it is missed. */
  subscribed(key: string): void;
  /** The connection was lost: every subscription with it. */
  disconnected(reason: string): void;
}

/** AppSync's own clients wait this long for `connection_ack` and for each `start_ack`. */
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** Until `connection_ack` says otherwise (AppSync announces 300000). */
const DEFAULT_CONNECTION_TIMEOUT_MS = 300_000;
const REALTIME_HEADERS = {
  accept: 'application/json, text/javascript',
  'content-encoding': 'amz-1.0',
  'content-type': 'application/json; charset=UTF-8',
};

export class RealtimeChannel {
  private socket: WebSocket | undefined;
  private readonly active = new Set<string>();
  private attempt = 0;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private silenceMs = DEFAULT_CONNECTION_TIMEOUT_MS;
  private started = false;
  private waiters: { resolve(): void; reject(error: Error): void }[] = [];

  constructor(
    private readonly settings: ClientSettings,
    private readonly signer: RequestSigner,
    private readonly subscriptions: readonly ChannelSubscription[],
    private readonly listener: ChannelListener,
  ) {}

  /**
   * Opens the connection unless it is open or opening. Resolves once every subscription is
   * acknowledged; rejects when the attempt under way fails (the channel keeps trying meanwhile).
   */
  open(): Promise<void> {
    if (this.subscriptions.every((s) => this.active.has(s.key))) return Promise.resolve();
    const opened = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
    return opened;
  }

  /** True while the subscription `key` is acknowledged on an open connection. */
  isActive(key: string): boolean {
    return this.active.has(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the client was closed'));
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.silenceTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.active.clear();
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000);
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1_000).unref();
    });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let socket: WebSocket;
    try {
      const headers = await this.signer({
        url: new URL(`${this.settings.graphqlUrl.href.replace(/\/$/, '')}/connect`),
        body: '{}',
        headers: REALTIME_HEADERS,
      });
      if (this.closed) return;
      const header = Buffer.from(JSON.stringify(headers)).toString('base64url');
      socket = new WebSocket(this.settings.realtimeUrl, ['graphql-ws', `header-${header}`], {
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      });
    } catch (error) {
      this.lost(undefined, `cannot connect: ${(error as Error).message}`);
      return;
    }
    this.socket = socket;
    const handshake = setTimeout(() => this.lost(socket, 'no connection_ack in time'), HANDSHAKE_TIMEOUT_MS);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (raw) => {
      const message = parseMessage(raw.toString());
      if (message?.type === 'connection_ack') clearTimeout(handshake);
      if (message !== undefined) void this.handle(socket, message);
    });
    socket.on('error', (error) => this.lost(socket, error.message));
    socket.on('close', (code) => {
      clearTimeout(handshake);
      this.lost(socket, `closed (${code})`);
    });
  }

  private async handle(socket: WebSocket, message: ServerMessage): Promise<void> {
    if (socket !== this.socket) return;
    switch (message.type) {
      case 'connection_ack':
        this.silenceMs = message.payload?.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
        this.armSilence(socket);
        this.settings.diagnostic({ type: 'connected', attempt: this.attempt });
        await this.startAll(socket);
        return;
      case 'ka':
        this.armSilence(socket);
        return;
      case 'start_ack':
        if (message.id !== undefined) this.acknowledged(message.id);
        return;
      case 'data':
        this.armSilence(socket);
        if (message.id !== undefined && this.active.has(message.id)) this.listener.data(message.id, message.payload);
        return;
      case 'connection_error':
      case 'error':
        this.lost(socket, `${message.type}: ${describeErrors(message.payload)}`);
        return;
      default:
        return;
    }
  }

  private async startAll(socket: WebSocket): Promise<void> {
    const pending = new Set(this.subscriptions.map((s) => s.key));
    const timer = setTimeout(() => {
      if ([...pending].some((key) => !this.active.has(key))) this.lost(socket, 'no start_ack in time');
    }, HANDSHAKE_TIMEOUT_MS);
    timer.unref();
    for (const { key, query, variables } of this.subscriptions) {
      const data = JSON.stringify({ query, variables });
      const authorization = await this.signer({ url: this.settings.graphqlUrl, body: data, headers: REALTIME_HEADERS });
      if (socket !== this.socket) return;
      socket.send(JSON.stringify({ id: key, type: 'start', payload: { data, extensions: { authorization } } }));
    }
  }

  private acknowledged(key: string): void {
    this.active.add(key);
    this.settings.diagnostic({ type: 'subscribed', aggregate: key });
    this.listener.subscribed(key);
    if (this.subscriptions.every((s) => this.active.has(s.key))) {
      this.attempt = 0;
      for (const waiter of this.waiters.splice(0)) waiter.resolve();
    }
  }

  private armSilence(socket: WebSocket): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.lost(socket, 'silent past the connection timeout'), this.silenceMs);
    this.silenceTimer.unref();
  }

  /** The connection `socket` is gone (or never came): report it once and plan the next attempt. */
  private lost(socket: WebSocket | undefined, reason: string): void {
    if (socket !== this.socket || this.closed) return;
    this.socket = undefined;
    clearTimeout(this.silenceTimer);
    socket?.removeAllListeners();
    socket?.on('error', () => undefined);
    socket?.terminate();
    const wasActive = this.active.size > 0;
    this.active.clear();
    this.settings.diagnostic({ type: 'disconnected', reason });
    if (wasActive) this.listener.disconnected(reason);
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(reason));
    const inMs = backoffDelay(this.settings.reconnectBackoff, this.attempt);
    this.attempt += 1;
    this.settings.diagnostic({ type: 'reconnecting', inMs, attempt: this.attempt });
    this.reconnectTimer = setTimeout(() => void this.connect(), inMs);
    this.reconnectTimer.unref();
  }
}

type ServerMessage =
  | { type: 'connection_ack'; payload?: { connectionTimeoutMs?: number } }
  | { type: 'ka' | 'start_ack' | 'complete'; id?: string }
  | { type: 'data'; id?: string; payload: unknown }
  | { type: 'connection_error' | 'error'; id?: string; payload?: unknown };

function parseMessage(text: string): ServerMessage | undefined {
  try {
    const message = JSON.parse(text) as unknown;
    return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string'
      ? (message as ServerMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

function describeErrors(payload: unknown): string {
  const errors = (payload as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return 'no details';
  return errors
    .map(
      (e: { errorType?: unknown; message?: unknown }) => `${String(e.errorType ?? 'Error')} ${String(e.message ?? '')}`,
    )
    .join('; ')
    .slice(0, 300);
}
