/**
 * The one HTTP(S) server on 127.0.0.1 that serves everything: AppSync and the AWS APIs the functions
 * call. It starts before the resources are wired, because its URL appears in resolved template values
 * (`GraphQLUrl`, queue URLs); until {@link LocalServer.serve} hands it the router it answers 503. With
 * TLS on, it serves a generated certificate whose CA file exists before any function starts (the
 * functions trust it through that file).
 *
 * It serves the Host names `127.0.0.1` and `localhost` only (a page another site serves cannot reach
 * it through DNS rebinding), and reads no more of a body than its route takes: a larger one is
 * answered 413 as soon as its `Content-Length`, or its bytes so far, say so.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalCertificate, type LocalCertificate } from '../appsync';
import { LocalCoreError } from '../errors';
import type { Closers } from './closers';
import { UNROUTED_BODY_BYTES, sendJson, type RequestHandler } from './router';

export interface LocalServer {
  readonly server: Server;
  /** `http(s)://127.0.0.1:<port>`: the endpoint of every AWS API the core serves. */
  readonly baseUrl: string;
  /** `ws(s)://127.0.0.1:<port>/graphql/realtime`. */
  readonly realtimeUrl: string;
  readonly certificate: LocalCertificate | undefined;
  /** The CA certificate's file, for the functions, when TLS is on. */
  readonly caFile: string | undefined;
  /** Starts answering requests with `handler`. */
  serve(handler: RequestHandler): void;
}

export interface LocalServerOptions {
  readonly port: number;
  readonly tls: boolean;
  readonly dataDir: string | undefined;
  readonly write: (line: string) => void;
}

export async function startServer(options: LocalServerOptions, closers: Closers): Promise<LocalServer> {
  const certificate = options.tls ? await createLocalCertificate() : undefined;
  const caFile = certificate === undefined ? undefined : writeCaFile(certificate, options.dataDir, closers);
  let handler: RequestHandler | undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!isLocalHost(req.headers.host)) return refuse(res, 403, 'HostNotServed', HOST_REFUSAL);
    const limit = handler?.maxBodyBytes(req) ?? UNROUTED_BODY_BYTES;
    readBody(req, res, limit, (body) => {
      if (handler === undefined) return sendJson(res, 503, { message: 'the local core is starting' });
      handler.handle(req, res, body).catch((error: unknown) => {
        options.write(`local server: ${String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { __type: 'InternalFailure', message: String(error) });
      });
    });
  };
  const server: Server =
    certificate === undefined
      ? createHttpServer(onRequest)
      : createHttpsServer({ key: certificate.key, cert: certificate.cert }, onRequest);
  await listen(server, options.port);
  closers.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const secure = certificate !== undefined;
  return {
    server,
    baseUrl: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    realtimeUrl: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/graphql/realtime`,
    certificate,
    caFile,
    serve: (next) => {
      handler = next;
    },
  };
}

/** The Host names the local core serves, with any port. */
const LOCAL_HOST = /^(127\.0\.0\.1|localhost)(:\d{1,5})?$/i;
const HOST_REFUSAL = 'The local core serves the Host names 127.0.0.1 and localhost only.';

/** True for a `Host` header the local core serves: `127.0.0.1` or `localhost`, with any port. */
export function isLocalHost(host: string | undefined): boolean {
  return host !== undefined && LOCAL_HOST.test(host);
}

/**
 * Reads a request body of at most `limit` bytes, then calls `onBody`. A larger one is answered 413
 * at once: before any byte when `Content-Length` says so, else as soon as the bytes pass the limit;
 * the rest is not read, and the connection is closed.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, onBody: (body: Buffer) => void): void {
  const tooLarge = (size: number) =>
    refuse(
      res,
      413,
      'RequestEntityTooLargeException',
      `The request body is ${size} bytes or more; the limit is ${limit} bytes.`,
    );
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return tooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) return void chunks.push(chunk);
    req.off('data', onData);
    chunks.length = 0;
    tooLarge(size);
  };
  req.on('data', onData);
  req.on('end', () => {
    if (size <= limit) onBody(Buffer.concat(chunks));
  });
}

/** How long a refused client may go on sending before its connection is cut. */
const REFUSED_CLIENT_GRACE_MS = 1_000;

/**
 * Answers a refused request and closes the connection. What the client still sends is discarded
 * unread (never buffered), for a second at most: then the connection is cut.
 */
function refuse(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) return;
  const text = JSON.stringify({ __type: type, message });
  const socket = res.socket;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': type,
    connection: 'close',
  });
  res.end(text);
  res.req.resume();
  setTimeout(() => socket?.destroy(), REFUSED_CLIENT_GRACE_MS).unref();
}

/** Writes the CA certificate to `<dataDir>/tls/ca.pem`, or to a temporary folder removed at stop. */
function writeCaFile(certificate: LocalCertificate, dataDir: string | undefined, closers: Closers): string {
  const tlsDir = dataDir === undefined ? mkdtempSync(join(tmpdir(), 'local-core-tls-')) : join(dataDir, 'tls');
  mkdirSync(tlsDir, { recursive: true });
  const caFile = join(tlsDir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  if (dataDir === undefined) closers.add(async () => rmSync(tlsDir, { recursive: true, force: true }));
  return caFile;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalCoreError('PORT_IN_USE', `port ${port} is in use: set PORT to another one`, { cause: error })
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
