/**
 * Verifies AWS Signature Version 4 on a request, the way a service endpoint does: find the secret of
 * the access key in the `Authorization` header, sign the same request again with it
 * (`@smithy/signature-v4`, over exactly the headers the client listed as signed and the body as
 * received) and compare the signatures. Every local service verifies with it: AppSync, and the
 * DynamoDB, EventBridge and Step Functions routes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256';
import type { IamPrincipal } from './principal';

/** The parts of a request that a SigV4 signature covers. */
export interface SignedRequest {
  readonly method: string;
  /** The path without the query string, for example `/graphql`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/** What the signature check needs to know about the endpoint. */
export interface SigV4Expectations {
  readonly region: string;
  readonly service: string;
  readonly principals: ReadonlyMap<string, IamPrincipal>;
  readonly now: Date;
  /** How far `x-amz-date` may be from `now`. */
  readonly maxSkewMs: number;
}

/**
 * Why a signature was refused: `incomplete` (no parsable SigV4 `Authorization`), `unrecognized`
 * (an unknown access key or session token), `expired` (`x-amz-date` too far from the server's
 * clock: a replayed request), `mismatch` (a scope, a header or the signature that does not match).
 */
export type SigV4Refusal = 'incomplete' | 'unrecognized' | 'expired' | 'mismatch';

export type SigV4Outcome =
  | { readonly ok: true; readonly accessKeyId: string; readonly principal: IamPrincipal }
  | { readonly ok: false; readonly refusal: SigV4Refusal; readonly message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** True when an `Authorization` header value claims to be a SigV4 signature. */
export function isSigV4Authorization(value: string | undefined): boolean {
  return value !== undefined && value.startsWith(ALGORITHM);
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const match = value ? AMZ_DATE_PATTERN.exec(value) : null;
  if (!match) {
    return undefined;
  }
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second));
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks the SigV4 signature of `request`. The messages of failures are the ones AWS services use.
 *
 * @example
 * ```ts
 * const outcome = await verifySigV4(
 *   { method: 'POST', path: '/graphql', query: {}, headers, body },
 *   { region: 'us-east-1', service: 'appsync', principals, now: new Date(), maxSkewMs: 300_000 },
 * );
 * if (!outcome.ok) console.log(outcome.message);
 * ```
 */
export async function verifySigV4(request: SignedRequest, expected: SigV4Expectations): Promise<SigV4Outcome> {
  const authorization = request.headers.authorization ?? '';
  const match = AUTHORIZATION_PATTERN.exec(authorization.trim());
  if (!match) {
    return {
      ok: false,
      refusal: 'incomplete',
      message: 'Authorization header requires Credential, SignedHeaders and Signature parameters.',
    };
  }
  const [, accessKeyId = '', scopeDate, region, service, signedHeaderList = '', signature = ''] = match;
  const principal = expected.principals.get(accessKeyId);
  if (!principal) {
    return { ok: false, refusal: 'unrecognized', message: 'The security token included in the request is invalid.' };
  }
  if (region !== expected.region) {
    return {
      ok: false,
      refusal: 'mismatch',
      message: `Credential should be scoped to a valid region, not '${region}'.`,
    };
  }
  if (service !== expected.service) {
    return {
      ok: false,
      refusal: 'mismatch',
      message: `Credential should be scoped to correct service: '${expected.service}'.`,
    };
  }
  const amzDate = request.headers['x-amz-date'];
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || !amzDate?.startsWith(scopeDate ?? '')) {
    return {
      ok: false,
      refusal: 'incomplete',
      message: 'The x-amz-date header is missing, malformed or does not match the credential scope date.',
    };
  }
  if (Math.abs(expected.now.getTime() - signingDate.getTime()) > expected.maxSkewMs) {
    return {
      ok: false,
      refusal: 'expired',
      message: `Signature expired: ${amzDate} is not within ${expected.maxSkewMs / 60_000} minutes of the server time.`,
    };
  }
  const token = request.headers['x-amz-security-token'];
  if (token !== principal.sessionToken) {
    return { ok: false, refusal: 'unrecognized', message: 'The security token included in the request is invalid.' };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) {
    return { ok: false, refusal: 'incomplete', message: "'Host' must be a signed header." };
  }
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const declaredHash = request.headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== bodyHash && declaredHash !== UNSIGNED_PAYLOAD) {
    return {
      ok: false,
      refusal: 'mismatch',
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) {
      return { ok: false, refusal: 'incomplete', message: `Signed header '${name}' is missing from the request.` };
    }
    headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: principal.secretAccessKey },
    region: expected.region,
    service: expected.service,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const resigned = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'https:',
      hostname: headers.host,
      path: request.path,
      query: { ...request.query },
      headers,
      body: request.body,
    }),
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ''))?.[1] ?? '';
  if (!sameHex(expectedSignature, signature)) {
    return {
      ok: false,
      refusal: 'mismatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return { ok: true, accessKeyId, principal };
}
