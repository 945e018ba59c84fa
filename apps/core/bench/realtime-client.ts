/**
 * A small front-end client for the load benchmark that speaks AppSync's protocols itself: GraphQL over
 * HTTP POST (with the API key, or with a `fetch` that signs, such as the front-end server's acting for
 * a user), and the real-time WebSocket protocol (API key) (`graphql-ws` subprotocol, auth in a
 * `header-<base64url>` subprotocol, `connection_init` → `connection_ack`, `start` → `start_ack` →
 * `data`, `stop` → `complete`). One WebSocket per client carries all of its subscriptions, as AWS's
 * own client does, without Apollo's cache in the timings.
 */
import WebSocket from 'ws';

export interface ApiKeyEndpoint {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly apiKey: string;
}

interface Subscription {
  readonly onData: (data: Record<string, unknown>) => void;
  readonly ready: { resolve: () => void; reject: (error: Error) => void };
}

export class RealtimeClient {
  private socket: WebSocket | undefined;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly auth: Record<string, string>;
  private next = 0;

  constructor(
    private readonly endpoint: ApiKeyEndpoint,
    /** Sends the HTTP requests (queries, mutations). @default fetch with the API key */
    private readonly send: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...init?.headers, 'x-api-key': endpoint.apiKey } }),
  ) {
    this.auth = { host: new URL(endpoint.graphqlUrl).host, 'x-api-key': endpoint.apiKey };
  }

  /** Opens the WebSocket and waits for `connection_ack`. */
  async connect(): Promise<void> {
    const header = Buffer.from(JSON.stringify(this.auth)).toString('base64url');
    const socket = new WebSocket(this.endpoint.realtimeUrl, ['graphql-ws', `header-${header}`]);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: unknown };
        if (message.type === 'connection_ack') resolve();
        else this.dispatch(message);
      });
    });
  }

  /** Starts a subscription; resolves at `start_ack`, after which nothing published for it is missed. */
  subscribe(
    query: string,
    variables: Record<string, unknown>,
    onData: (data: Record<string, unknown>) => void,
  ): Promise<string> {
    const id = `s-${this.next++}`;
    return new Promise((resolve, reject) => {
      this.subscriptions.set(id, { onData, ready: { resolve: () => resolve(id), reject } });
      this.socket?.send(
        JSON.stringify({
          id,
          type: 'start',
          payload: { data: JSON.stringify({ query, variables }), extensions: { authorization: this.auth } },
        }),
      );
    });
  }

  stop(id: string): void {
    this.socket?.send(JSON.stringify({ id, type: 'stop' }));
  }

  /** A query or mutation over HTTP. */
  async request(
    query: string,
    variables: Record<string, unknown>,
  ): Promise<{ data?: Record<string, unknown> | null; errors?: { errorType?: string; message: string }[] }> {
    const response = await this.send(this.endpoint.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { errorType?: string; message: string }[];
    };
  }

  close(): void {
    this.socket?.close();
  }

  private dispatch(message: { type: string; id?: string; payload?: unknown }): void {
    const subscription = message.id === undefined ? undefined : this.subscriptions.get(message.id);
    if (subscription === undefined) return;
    if (message.type === 'start_ack') subscription.ready.resolve();
    else if (message.type === 'error')
      subscription.ready.reject(new Error(JSON.stringify(message.payload).slice(0, 300)));
    else if (message.type === 'data') subscription.onData((message.payload as { data: Record<string, unknown> }).data);
    else if (message.type === 'complete') this.subscriptions.delete(message.id ?? '');
  }
}
