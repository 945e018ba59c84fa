/**
 * The bus and the notifier of the command-path benchmark, in its own process: a PutEvents endpoint
 * that hands each entry straight to the event handler, as a bus rule delivers it (asynchronously: the
 * PutEvents answer does not wait), and an AppSync endpoint that accepts every notification and tells
 * whoever waits for that command id.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => () => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
};

interface BusMetrics {
  readonly requests: number;
  readonly entries: number;
  readonly failed: number;
}

export interface InProcessBus {
  readonly endpoint: string;
  metrics(): BusMetrics;
  /** Requests and entries per command since `before`. */
  since(before: BusMetrics, commands: number): { requests: number; delivered: number };
  close(): Promise<void>;
}

/** `deliver` is the event handler; a delivery that throws is counted and fails the benchmark's end. */
export async function startInProcessBus(deliver: (event: unknown) => Promise<unknown>): Promise<InProcessBus> {
  const metrics = { requests: 0, entries: 0, failed: 0 };
  const server = createServer(async (request, response) => {
    const { Entries } = JSON.parse(await readBody(request)) as {
      Entries: { Source: string; DetailType: string; Detail: string }[];
    };
    metrics.requests += 1;
    const results = Entries.map(() => ({ EventId: randomUUID() }));
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ FailedEntryCount: 0, Entries: results }));
    for (const [index, entry] of Entries.entries()) {
      metrics.entries += 1;
      const event = {
        id: results[index]?.EventId,
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail) as unknown,
      };
      deliver(event).catch((error: unknown) => {
        metrics.failed += 1;
        console.error('event handler failed', error);
      });
    }
  });
  return {
    endpoint: await listen(server),
    metrics: () => ({ ...metrics }),
    since: (before, commands) => {
      if (metrics.failed > 0) throw new Error(`${metrics.failed} deliveries failed`);
      return {
        requests: (metrics.requests - before.requests) / commands,
        delivered: (metrics.entries - before.entries) / commands,
      };
    },
    close: close(server),
  };
}

/** An AppSync endpoint for the notification mutation; `stored(commandId)` resolves when it comes. */
export async function startNotificationSink() {
  const waiting = new Map<string, () => void>();
  const server = createServer(async (request, response) => {
    const body = JSON.parse(await readBody(request)) as { variables?: { input?: { commandId?: string } } };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"data":{}}');
    const commandId = body.variables?.input?.commandId ?? '';
    waiting.get(commandId)?.();
    waiting.delete(commandId);
  });
  const url = `${await listen(server)}/graphql`;
  return {
    url,
    stored: (commandId: string) => new Promise<void>((resolve) => waiting.set(commandId, resolve)),
    close: close(server),
  };
}
