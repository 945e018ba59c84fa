/**
 * The one HTTP(S) server on 127.0.0.1 that serves everything: AppSync and the AWS APIs the functions
 * call. It starts before the resources are wired, because its URL appears in resolved template values
 * (`GraphQLUrl`, queue URLs); until {@link LocalServer.serve} hands it the router it answers 503. With
 * TLS on, it serves a generated certificate whose CA file exists before any function starts (the
 * functions trust it through that file).
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
import { sendJson, type RequestHandler } from './router';

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
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (handler === undefined) return sendJson(res, 503, { message: 'the local core is starting' });
      handler(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
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
