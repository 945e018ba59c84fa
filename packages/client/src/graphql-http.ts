/**
 * GraphQL over HTTP to AppSync (`POST <graphqlUrl>`), signed, with retries. A request that failed
 * in a way a retry can help (no answer, a 5xx, throttling, an unexpected failure of a resolver) is
 * sent again with the same body, after a backoff: for a command that is the same `commandId`, which
 * the core answers the same way however often it comes. What is left after the retries is thrown as
 * a {@link TransportError}; GraphQL errors are returned for the caller to read.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { RequestSigner } from './auth';
import { TransportError, shortText } from './errors';
import { backoffDelay, type ClientSettings } from './options';

/** One GraphQL error as AppSync gives it. */
export interface GraphQLErrorEntry {
  readonly message: string;
  readonly errorType?: string;
}

export interface GraphQLResponse {
  readonly data: Record<string, unknown> | null;
  readonly errors: readonly GraphQLErrorEntry[];
}

export interface GraphQLRequest {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** Headers signed with the request (`x-core-user`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export type GraphQLHttp = (request: GraphQLRequest) => Promise<GraphQLResponse>;

/** errorTypes of a failure that a retry of the same request may not meet again. */
const RETRYABLE_ERROR_TYPE = /^(InternalError|Lambda:|ServiceUnavailable|Throttl)/;

export function createGraphQLHttp(settings: ClientSettings, signer: RequestSigner): GraphQLHttp {
  return async (request) => {
    const body = JSON.stringify({ query: request.query, variables: request.variables });
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(settings, signer, request, body);
      const last = attempt >= settings.requestAttempts;
      if (outcome.ok && (last || !retryableErrors(outcome.response))) return outcome.response;
      if (!outcome.ok && (last || !outcome.error.retryable)) throw outcome.error.error;
      const reason = outcome.ok ? (outcome.response.errors[0]?.errorType ?? 'error') : outcome.error.error.code;
      settings.diagnostic({ type: 'request-retry', attempt, reason });
      await sleep(backoffDelay(settings.requestBackoff, attempt - 1));
    }
  };
}

type Attempt =
  | { readonly ok: true; readonly response: GraphQLResponse }
  | { readonly ok: false; readonly error: { readonly error: TransportError; readonly retryable: boolean } };

async function attemptOnce(
  settings: ClientSettings,
  signer: RequestSigner,
  request: GraphQLRequest,
  body: string,
): Promise<Attempt> {
  const headers = await signer({
    url: settings.graphqlUrl,
    body,
    headers: { ...request.headers, 'content-type': 'application/json' },
  });
  let answer: { status: number; text: string };
  try {
    answer = await post(settings.graphqlUrl, headers, body, settings.requestTimeoutMs);
  } catch (cause) {
    const message = `no answer from ${settings.graphqlUrl.host}: ${(cause as Error).message}`;
    return { ok: false, error: { error: new TransportError('NETWORK', message, { cause }), retryable: true } };
  }
  const parsed = parseResponse(answer.text);
  if (answer.status === 200 && parsed !== undefined) return { ok: true, response: parsed };
  // AppSync answers 401 (bad credentials) and 400 (malformed) with GraphQL errors: the caller reads them.
  if ((answer.status === 401 || answer.status === 403 || answer.status === 400) && parsed !== undefined)
    return { ok: true, response: parsed };
  const throttled = answer.status === 429;
  const error = new TransportError(
    throttled ? 'THROTTLED' : parsed === undefined && answer.status === 200 ? 'BAD_RESPONSE' : 'HTTP_STATUS',
    `AppSync answered ${answer.status}: ${shortText(answer.text)}`,
    { status: answer.status },
  );
  return { ok: false, error: { error, retryable: throttled || answer.status >= 500 } };
}

function retryableErrors(response: GraphQLResponse): boolean {
  return response.errors.length > 0 && response.errors.every((e) => RETRYABLE_ERROR_TYPE.test(e.errorType ?? ''));
}

function parseResponse(text: string): GraphQLResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { data, errors } = value as { data?: unknown; errors?: unknown };
  const entries = Array.isArray(errors)
    ? errors.map((e: unknown) => {
        const { message, errorType } = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
        return {
          message: typeof message === 'string' ? message : 'no message',
          ...(typeof errorType === 'string' ? { errorType } : {}),
        };
      })
    : [];
  if (data === undefined && entries.length === 0) return undefined;
  return {
    data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : null,
    errors: entries,
  };
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
