/**
 * A self-signed certificate for serving the endpoint over HTTPS/WSS: Amplify JS v6 always opens
 * `wss://` for a non-AWS GraphQL URL, so a local endpoint it talks to needs TLS. Clients trust the
 * certificate through `NODE_EXTRA_CA_CERTS=<file with cert>` (Node) or the OS/browser trust store.
 */
import { generate } from 'selfsigned';

/** PEM key and certificate, as `https.createServer` takes them. */
export interface LocalCertificate {
  readonly key: string;
  readonly cert: string;
}

/** Options of {@link createLocalCertificate}. */
export interface LocalCertificateOptions {
  /** DNS names and IP addresses the certificate is valid for. @default ['localhost', '127.0.0.1', '::1'] */
  readonly hostnames?: readonly string[];
  /** Validity in days from now. @default 365 */
  readonly days?: number;
}

function isIpAddress(name: string): boolean {
  return /^[\d.]+$/.test(name) || name.includes(':');
}

/**
 * Generates a self-signed certificate (EC P-256, SHA-256) whose subject alternative names are `hostnames`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import * as https from 'node:https';
 *
 * const { key, cert } = await createLocalCertificate();
 * writeFileSync('.local/appsync-cert.pem', cert); // clients: NODE_EXTRA_CA_CERTS=.local/appsync-cert.pem
 * const server = https.createServer({ key, cert }, handler);
 * api.attachRealtime(server);
 * ```
 */
export async function createLocalCertificate(options: LocalCertificateOptions = {}): Promise<LocalCertificate> {
  const hostnames = options.hostnames ?? ['localhost', '127.0.0.1', '::1'];
  const [commonName = 'localhost'] = hostnames;
  const days = options.days ?? 365;
  const altNames = hostnames.map((name) =>
    isIpAddress(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  );
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + days * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
