/**
 * The demo web server (Node's http, no framework): a front-end server of the core, on @core/client.
 *
 * | route | what |
 * |---|---|
 * | `GET /` | the reservation form |
 * | `POST /reservations` | sends createReservation: a refusal is shown at once (422), an acceptance redirects to the reservation |
 * | `GET /reservations/<id>` | the reservation's timeline so far |
 * | `GET /reservations/<id>/events?after=<seq>` | Server-Sent Events: the timeline's next entries, as the core notifies |
 */
import { createCoreClient, isCoreClientError, type CoreClient, type CoreClientOptions } from '@core/client';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedHotel, type Hotel } from './hotel';
import { formPage, messagePage, reservationPage, type FormValues } from './pages';
import { ReservationTracker } from './tracker';

export interface DemoServerOptions {
  /** How to reach the core: AppSync's endpoint or the local core's, with IAM or the API key. */
  readonly core: Omit<CoreClientOptions, 'onDiagnostic'>;
  /** @default 4001; 0 picks a free port */
  readonly port?: number;
}

export interface DemoServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly client: CoreClient;
  readonly hotel: Hotel;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 4_096;
const RESERVATION_PATH = /^\/reservations\/([A-Za-z0-9_-]{1,128})(\/events)?$/;

/** Starts the demo: connects its client, makes the hotel (rooms, guests), then listens on 127.0.0.1. */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const readBack = new Set<string>();
  const client = createCoreClient({
    ...options.core,
    onDiagnostic: (diagnostic) => {
      if (diagnostic.type === 'outcome-read' && diagnostic.status !== 'PENDING') readBack.add(diagnostic.commandId);
    },
  });
  await client.connect();
  const hotel = await seedHotel(client);
  const tracker = new ReservationTracker(client, (commandId) => readBack.has(commandId));
  const server = http.createServer((req, res) => {
    route({ client, hotel, tracker }, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, messagePage('Something went wrong', describe(error)));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4001, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    client,
    hotel,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
    },
  };
}

interface Demo {
  readonly client: CoreClient;
  readonly hotel: Hotel;
  readonly tracker: ReservationTracker;
}

async function route(demo: Demo, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/') return send(res, 200, formPage(demo.hotel, defaults(demo.hotel)));
  if (req.method === 'POST' && url.pathname === '/reservations') return reserve(demo, req, res);
  const match = RESERVATION_PATH.exec(url.pathname);
  const entries = match === null ? undefined : demo.tracker.entries(match[1] as string);
  if (req.method !== 'GET' || match === null || entries === undefined)
    return send(res, 404, messagePage('Not found', 'There is no such page or reservation here.'));
  const id = match[1] as string;
  if (match[2] === undefined) return send(res, 200, reservationPage(id, entries));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const after = Number(url.searchParams.get('after') ?? 0) || 0;
  const stop = demo.tracker.listen(id, after, (entry) => {
    res.write(`data: ${JSON.stringify(entry)}\n\n`);
    if (entry.final) res.end();
  });
  res.on('close', stop);
}

async function reserve(demo: Demo, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const form = await readForm(req);
  if (form === undefined) return send(res, 413, messagePage('Too large', 'The form is larger than a reservation.'));
  const values: FormValues = {
    userId: form.get('userId') ?? '',
    roomId: form.get('roomId') ?? '',
    dateStart: form.get('dateStart') ?? '',
    dateEnd: form.get('dateEnd') ?? '',
  };
  try {
    const sent = await demo.client.reservation.createReservation(values);
    demo.tracker.track(sent);
    res.writeHead(303, { location: `/reservations/${sent.id}` }).end();
  } catch (error) {
    if (isCoreClientError(error) && error.kind === 'REFUSED')
      return send(res, 422, formPage(demo.hotel, values, { code: error.code, message: error.message }));
    send(res, 502, messagePage('The core did not answer', describe(error)));
  }
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function defaults(hotel: Hotel): FormValues {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return { userId: hotel.guests[0]?.id ?? '', roomId: hotel.rooms[0]?.id ?? '', dateStart: day(7), dateEnd: day(9) };
}

function send(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

function describe(error: unknown): string {
  return isCoreClientError(error) ? `${error.code}: ${error.message}` : 'an unexpected error (see the server log)';
}
