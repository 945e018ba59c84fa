/** Calls to dynalite over HTTP, with a kept-alive connection pool and a placeholder signature (dynalite checks only its form). */
import { Agent, request } from 'node:http';
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

export function createUpstream(endpoint: string): Upstream {
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
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            'x-amz-date': '20260101T000000Z',
            authorization: PLACEHOLDER_AUTHORIZATION,
            'content-length': Buffer.byteLength(body),
          },
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

  return { send, call, close: () => agent.destroy() };
}
