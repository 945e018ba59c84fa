/**
 * `POST /graphql`: authentication (401 before anything else), body checks (400), then execution
 * (200, with GraphQL errors in the body).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, normalizeHeaders, type AuthConfig } from './auth';
import { MALFORMED_REQUEST, UNAUTHORIZED_REQUEST, describeError, requestErrorBody } from './error-format';
import type { Executor, GraphQLRequest } from './execute';
import { isRecord, parseJson } from './json';

/** The path AppSync serves GraphQL on. */
export const GRAPHQL_PATH = '/graphql';

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-expose-headers': 'x-amzn-RequestId, x-amzn-ErrorType',
};

/** What the HTTP handler needs. */
export interface HttpDeps {
  readonly auth: AuthConfig;
  readonly executor: Executor;
  readonly countRequest: () => void;
  readonly log: (line: string, fields?: Record<string, unknown>) => void;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(json),
    'x-amzn-requestid': randomUUID(),
    ...CORS_HEADERS,
    ...headers,
  });
  res.end(json);
}

/** Reads `{query, variables, operationName}`; `variables` may also come as a JSON string. */
function parseGraphQLRequest(body: Buffer): GraphQLRequest | undefined {
  const parsed = parseJson(body.toString('utf8'));
  if (!isRecord(parsed) || typeof parsed.query !== 'string') {
    return undefined;
  }
  const variables = typeof parsed.variables === 'string' ? parseJson(parsed.variables) : parsed.variables;
  if (typeof parsed.variables === 'string' && variables === undefined) {
    return undefined;
  }
  if (variables !== undefined && variables !== null && !isRecord(variables)) {
    return undefined;
  }
  const operationName = typeof parsed.operationName === 'string' ? parsed.operationName : null;
  return { query: parsed.query, variables: variables ?? null, operationName };
}

/** Handles one request if it is for `/graphql`; resolves `false` otherwise. */
export async function handleGraphQLHttp(
  deps: HttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== GRAPHQL_PATH) {
    return false;
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(200, CORS_HEADERS);
    res.end();
    return true;
  }
  if (req.method !== 'POST') {
    send(
      res,
      405,
      requestErrorBody('MethodNotAllowedException', `${req.method ?? 'This method'} is not supported; use POST.`),
    );
    return true;
  }
  deps.countRequest();
  const headers = normalizeHeaders(req.headers);
  const query: Record<string, string> = Object.fromEntries(url.searchParams);
  const outcome = await authenticate(
    { method: 'POST', path: url.pathname, query, headers, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
    deps.auth,
  );
  if (!outcome.ok) {
    deps.log('appsync request refused', { message: outcome.message });
    send(res, 401, requestErrorBody(UNAUTHORIZED_REQUEST, outcome.message), {
      'x-amzn-ErrorType': UNAUTHORIZED_REQUEST,
    });
    return true;
  }
  if (body.length === 0) {
    send(res, 400, requestErrorBody(MALFORMED_REQUEST, 'Request body is empty.'));
    return true;
  }
  const request = parseGraphQLRequest(body);
  if (!request) {
    send(res, 400, requestErrorBody(MALFORMED_REQUEST, 'Unable to parse GraphQL query.'));
    return true;
  }
  const prepared = deps.executor.prepare(request);
  if (!prepared.ok) {
    send(res, 200, prepared.body);
    return true;
  }
  const context = { caller: outcome.caller, headers };
  let response;
  try {
    response = await deps.executor.run(prepared.request, context);
  } catch (error) {
    deps.log('appsync request failed', { error: describeError(error) });
    send(res, 500, requestErrorBody('InternalFailure', describeError(error)));
    return true;
  }
  deps.log('appsync request', {
    operation: prepared.request.operation.operation,
    operationName: prepared.request.operation.name?.value,
    mode: outcome.caller.mode,
    errors: response.errors?.length ?? 0,
  });
  send(res, 200, response);
  return true;
}
