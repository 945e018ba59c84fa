/**
 * Routes each request of the one server to the service that answers it: AppSync by path
 * (`/graphql`), the AWS JSON APIs by their `X-Amz-Target` prefix (DynamoDB, EventBridge, Step
 * Functions). Each service's route lives in its own module and is the place for that service's
 * request checks; a request no route takes is answered `UnknownOperationException`.
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

/** A service's entry point on the server. */
export interface Route {
  /** True when the request is this service's. */
  accepts(request: LocalRequest): boolean;
  /** Answers the request. Resolves false when the service did not answer it after all (the next route may). */
  handle(request: LocalRequest): Promise<boolean>;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>;

/** A request handler that offers each request to the routes in order. */
export function createRouter(routes: readonly Route[]): RequestHandler {
  return async (req, res, body) => {
    const request: LocalRequest = {
      req,
      res,
      body,
      path: (req.url ?? '/').split('?')[0] ?? '/',
      target: String(req.headers['x-amz-target'] ?? ''),
    };
    for (const route of routes) {
      if (route.accepts(request) && (await route.handle(request))) return;
    }
    sendJson(res, 404, {
      __type: 'UnknownOperationException',
      message: `the local core does not serve ${req.method ?? ''} ${request.path} ${request.target}`,
    });
  };
}

/** A route for an AWS JSON API by its `X-Amz-Target` prefix (`AWSEvents.`). */
export function targetRoute(prefix: string, handle: (request: LocalRequest) => Promise<boolean>): Route {
  return { accepts: (request) => request.target.startsWith(prefix), handle };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}
