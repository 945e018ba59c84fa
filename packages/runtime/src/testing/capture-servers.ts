import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function readBody(request: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName?: string;
}

/**
 * An HTTP server speaking EventBridge's PutEvents (AWS JSON 1.1) that records every accepted entry.
 * `failWith(attempt, index)` injects per-entry failures, which no emulator produces on demand.
 */
export async function startCapturingBus(failWith?: (request: number, index: number) => string | undefined) {
  const accepted: PutEventsEntry[] = [];
  const requests: PutEventsEntry[][] = [];
  const server = createServer(async (request, response) => {
    const body = JSON.parse(await readBody(request)) as { Entries: PutEventsEntry[] };
    const requestNumber = requests.push(body.Entries);
    const results = body.Entries.map((entry, index) => {
      const code = failWith?.(requestNumber, index);
      if (code !== undefined) return { ErrorCode: code, ErrorMessage: `injected ${code}` };
      accepted.push(entry);
      return { EventId: `event-${accepted.length}` };
    });
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(
      JSON.stringify({ FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results }),
    );
  });
  const endpoint = await listen(server);
  return { endpoint, accepted, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An HTTP server standing in for AppSync's GraphQL endpoint; records requests, answers `answer()`. */
export async function startCapturingGraphQL(
  answer: () => { status: number; body: unknown } = () => ({ status: 200, body: { data: {} } }),
) {
  const requests: CapturedRequest[] = [];
  const server = createServer(async (request, response) => {
    requests.push({ headers: request.headers, body: await readBody(request) });
    const { status, body } = answer();
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  const endpoint = await listen(server);
  return {
    url: `${endpoint}/graphql`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
