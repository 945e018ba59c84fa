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
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { authenticate, normalizeHeaders, type AuthOutcome } from './auth';
import { RealtimeConnection, type RealtimeDeps } from './connection';
import { isRecord, parseJson } from './json';
import { MAX_REALTIME_MESSAGE_BYTES } from './limits';

/** The path of the real-time endpoint (AppSync's custom-domain form, which local clients use). */
export const REALTIME_PATH = '/graphql/realtime';
/** The subprotocol AppSync speaks. */
export const REALTIME_PROTOCOL = 'graphql-ws';

const HEADER_PROTOCOL_PREFIX = 'header-';

/** Decodes base64 or base64url JSON, as both handshake forms send it. */
function decodeBase64Json(encoded: string): unknown {
  return parseJson(Buffer.from(encoded, 'base64').toString('utf8'));
}

function offeredProtocols(req: http.IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The connection's auth object and signed body, from the subprotocol or the query string. */
function handshakeCredentials(req: http.IncomingMessage, url: URL): { headers: unknown; body: string } {
  const fromProtocol = offeredProtocols(req).find((p) => p.startsWith(HEADER_PROTOCOL_PREFIX));
  const encoded = fromProtocol?.slice(HEADER_PROTOCOL_PREFIX.length) ?? url.searchParams.get('header');
  const payload = url.searchParams.get('payload');
  return {
    headers: encoded ? decodeBase64Json(encoded) : undefined,
    body: payload ? Buffer.from(payload, 'base64').toString('utf8') : '{}',
  };
}

/** The real-time endpoint of one API, attachable to any number of servers. */
export class RealtimeEndpoint {
  private readonly wss = new WebSocketServer({
    noServer: true,
    // A larger message closes the connection (1009) as soon as its frame header says so.
    maxPayload: MAX_REALTIME_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(REALTIME_PROTOCOL) ? REALTIME_PROTOCOL : false),
  });
  private readonly connections = new Set<RealtimeConnection>();
  private readonly listeners = new Map<
    http.Server | https.Server,
    (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void
  >();

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
      const listener = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void =>
        void this.upgrade(server, req, socket, head);
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

  private async upgrade(
    server: http.Server | https.Server,
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === REALTIME_PATH && !this.deps.acceptsHost(req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nThis Host is not served.');
      return;
    }
    if (url.pathname !== REALTIME_PATH) {
      // Another upgrade listener may serve this path; when there is none, answer instead of hanging.
      if (server.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
      return;
    }
    if (!offeredProtocols(req).includes(REALTIME_PROTOCOL)) {
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nThe ${REALTIME_PROTOCOL} subprotocol is required.`,
      );
      return;
    }
    const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
    const credentials = handshakeCredentials(req, url);
    const outcome: AuthOutcome = isRecord(credentials.headers)
      ? await authenticate(
          {
            method: 'POST',
            path: '/graphql/connect',
            query: {},
            headers: normalizeHeaders(credentials.headers),
            body: credentials.body,
            sourceIp,
          },
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
