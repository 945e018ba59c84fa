/**
 * The headers that authenticate one request to AppSync: SigV4 (service `appsync`) with credentials
 * from the standard chain or the ones given, or the API key. The same headers serve an HTTP request
 * and, as AppSync's real-time protocol asks, the connection handshake (`POST <graphqlUrl>/connect`,
 * body `{}`) and each `start` (`POST <graphqlUrl>`, body the start's `data` string).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClientAuth } from './options';

/** What is signed: a POST of `body` to `url`, with `headers` beside the ones the signer adds. */
export interface RequestToSign {
  readonly url: URL;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Gives every header to send (host included), authenticated. */
export type RequestSigner = (request: RequestToSign) => Promise<Record<string, string>>;

export function createSigner(auth: ClientAuth, region: string): RequestSigner {
  if (auth.type === 'API_KEY') {
    return async ({ url, headers }) => ({
      ...lowerCase(headers),
      host: url.host,
      'x-amz-date': amzDate(new Date()),
      'x-api-key': auth.apiKey,
    });
  }
  const credentials: AwsCredentialIdentityProvider =
    auth.credentials === undefined
      ? fromNodeProviderChain()
      : typeof auth.credentials === 'function'
        ? auth.credentials
        : async () => auth.credentials as Exclude<typeof auth.credentials, AwsCredentialIdentityProvider | undefined>;
  const signer = new SignatureV4({ service: 'appsync', region, credentials, sha256: Sha256 });
  return async ({ url, body, headers }) => {
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: {},
      headers: { ...lowerCase(headers), host: url.host },
      body,
    });
    return signed.headers;
  };
}

/** SigV4's `x-amz-date` form: 20261128T081802Z. */
function amzDate(date: Date): string {
  return date.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

function lowerCase(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
