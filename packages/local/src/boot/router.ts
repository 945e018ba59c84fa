/**
 * Routes each request of the one server to the service that answers it: AppSync by path
 * (`/graphql`), the AWS JSON APIs by their `X-Amz-Target` prefix (DynamoDB, EventBridge, Step
 * Functions). Each service's route lives in its own module and is the place for that service's
 * request checks (its signature and IAM checks among them); each says how large a body it takes, so
 * the server refuses a larger one before reading it. A request no route takes is answered
 * `UnknownOperationException`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request, its body read. */
export interface LocalRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly body: Buffer;
  /** The path without its query. */
  readonly path: string;
  /** `X-Amz-Target`, '' when absent. */
  readonly target: string;
}

/** What a route is chosen by, known before the body is read. */
export type RouteKey = Pick<LocalRequest, 'path' | 'target'>;

/** A service's entry point on the server. */
export interface Route {
  /** True when the request is this service's. */
  accepts(request: RouteKey): boolean;
  /** Answers the request. Resolves false when the service did not answer it after all (the next route may). */
  handle(request: LocalRequest): Promise<boolean>;
  /** The largest request body the service takes, in bytes. */
  readonly maxBodyBytes: number;
}

/** What the server hands each request to. */
export interface RequestHandler {
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  /** The largest body the request's route takes: the server reads no more. */
  maxBodyBytes(req: IncomingMessage): number;
}

/** The body limit of a request no route takes (it is answered 404 anyway). */
export const UNROUTED_BODY_BYTES = 64 * 1024;

function keyOf(req: IncomingMessage): RouteKey {
  return { path: (req.url ?? '/').split('?')[0] ?? '/', target: String(req.headers['x-amz-target'] ?? '') };
}

/** A request handler that offers each request to the routes in order. */
export function createRouter(routes: readonly Route[]): RequestHandler {
  return {
    maxBodyBytes: (req) => routes.find((route) => route.accepts(keyOf(req)))?.maxBodyBytes ?? UNROUTED_BODY_BYTES,
    handle: async (req, res, body) => {
      const request: LocalRequest = { req, res, body, ...keyOf(req) };
      for (const route of routes) {
        if (route.accepts(request) && (await route.handle(request))) return;
      }
      sendJson(res, 404, {
        __type: 'UnknownOperationException',
        message: `the local core does not serve ${req.method ?? ''} ${request.path} ${request.target}`,
      });
    },
  };
}

/** A route for an AWS JSON API by its `X-Amz-Target` prefix (`AWSEvents.`). */
export function targetRoute(
  prefix: string,
  maxBodyBytes: number,
  handle: (request: LocalRequest) => Promise<boolean>,
): Route {
  return { accepts: (request) => request.target.startsWith(prefix), handle, maxBodyBytes };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}
