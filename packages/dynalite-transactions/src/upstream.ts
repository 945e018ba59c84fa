/**
 * Calls to dynalite: over HTTP, with a kept-alive connection pool and a placeholder signature (dynalite
 * checks only its form), or, for a dynalite server in this process, handed to its request handler
 * without a socket (the same handling, without the HTTP round trip).
 */
import { EventEmitter } from 'node:events';
import { Agent, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DynaliteTransactionsError } from './errors';

/** A DynamoDB answer: the HTTP status, its headers and the raw body. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface Upstream {
  /** Sends a DynamoDB JSON request for `operation` and returns dynalite's answer as it is. */
  send(operation: string, body: Buffer | string): Promise<WireAnswer>;
  /** Sends a request and parses the answer; `ok` is false for an error answer. */
  call(operation: string, payload: unknown): Promise<{ ok: boolean; status: number; json: Record<string, unknown> }>;
  close(): void;
}

const PLACEHOLDER_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0';

/** dynalite's endpoint (`http://127.0.0.1:<port>`), or the server `dynalite()` returned, in this process. */
export type UpstreamTarget = string | Server;

export function createUpstream(target: UpstreamTarget): Upstream {
  const { send, close } = typeof target === 'string' ? overHttp(target) : inProcess(target);

  const call = async (operation: string, payload: unknown) => {
    const answer = await send(operation, JSON.stringify(payload));
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(answer.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch (error) {
      throw new DynaliteTransactionsError('UPSTREAM_ANSWER_NOT_JSON', `dynalite answered ${operation} with non-JSON`, {
        cause: error,
      });
    }
    return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, json };
  };

  return { send, call, close };
}

const headersFor = (operation: string, body: Buffer | string) => ({
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': `DynamoDB_20120810.${operation}`,
  'x-amz-date': '20260101T000000Z',
  authorization: PLACEHOLDER_AUTHORIZATION,
  'content-length': String(Buffer.byteLength(body)),
});

/**
 * Hands each request to the server's request handler as an HTTP request it received: dynalite reads
 * the method, the URL, the headers and the body's `data` and `end` events, and answers through
 * `statusCode`, `setHeader` and `end`.
 */
function inProcess(server: Server): Pick<Upstream, 'send' | 'close'> {
  const [handler] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (handler === undefined)
    throw new DynaliteTransactionsError('UPSTREAM_UNREACHABLE', 'the dynalite server has no request handler');
  const send = (operation: string, body: Buffer | string): Promise<WireAnswer> =>
    new Promise((resolve) => {
      const incoming = Object.assign(new EventEmitter(), {
        method: 'POST',
        url: '/',
        headers: headersFor(operation, body),
      });
      const headers: Record<string, string> = {};
      const response = {
        statusCode: 200,
        setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
        end: (data?: string | Buffer) =>
          resolve({ status: response.statusCode, headers, body: Buffer.from(data ?? '') }),
      };
      handler(incoming as unknown as IncomingMessage, response as unknown as ServerResponse);
      incoming.emit('data', Buffer.from(body));
      incoming.emit('end');
    });
  return { send, close: () => undefined };
}

function overHttp(endpoint: string): Pick<Upstream, 'send' | 'close'> {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const send = (operation: string, body: Buffer | string): Promise<WireAnswer> =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent,
          headers: headersFor(operation, body),
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(chunks) }),
          );
          answer.on('error', reject);
        },
      );
      outgoing.on('error', (error) =>
        reject(
          new DynaliteTransactionsError('UPSTREAM_UNREACHABLE', `dynalite at ${endpoint} did not answer`, {
            cause: error,
          }),
        ),
      );
      outgoing.end(body);
    });

  return { send, close: () => agent.destroy() };
}
