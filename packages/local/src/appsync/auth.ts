/**
 * Who is calling, from the credentials a request presents (AppSync picks the mode from the
 * credentials, then checks it against the schema's directives), and the identity a resolver sees.
 *
 * The same headers arrive three ways: as HTTP headers, base64-encoded in the real-time handshake,
 * and in a `start` message's `extensions.authorization`. Each is turned into a {@link CredentialRequest}.
 */
import { isSigV4Authorization, verifySigV4, type SignedRequest } from '../iam/sigv4';
import type { IamPrincipal, SupportedAuthMode } from './types';

/** An authenticated caller. */
export type Caller =
  | { readonly mode: 'API_KEY'; readonly sourceIp: string }
  | {
      readonly mode: 'AWS_IAM';
      readonly sourceIp: string;
      readonly accessKeyId: string;
      readonly principal: IamPrincipal;
    };

/** The `identity` AppSync gives a resolver for an IAM caller. */
export interface IamIdentity {
  readonly accountId: string;
  readonly cognitoIdentityPoolId: null;
  readonly cognitoIdentityId: null;
  readonly cognitoIdentityAuthType: null;
  readonly cognitoIdentityAuthProvider: null;
  readonly sourceIp: readonly string[];
  readonly username: string;
  readonly userArn: string;
}

/** A request's credentials: its headers (lower-case names), and what SigV4 signs besides them. */
export interface CredentialRequest extends SignedRequest {
  readonly sourceIp: string;
}

/** What the endpoint accepts. */
export interface AuthConfig {
  readonly modes: ReadonlySet<SupportedAuthMode>;
  readonly apiKeys: ReadonlySet<string>;
  readonly iamPrincipals: ReadonlyMap<string, IamPrincipal>;
  readonly region: string;
}

export type AuthOutcome =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly missing: boolean; readonly message: string };

/** AppSync's message when no credential was presented. */
export const MISSING_AUTHORIZATION = 'Missing authorization header';
/** AppSync's message for a credential it doesn't accept. */
export const NOT_AUTHORIZED = 'You are not authorized to make this call.';

/** Signed requests may be at most this far from the server's clock: AWS refuses a SigV4 signature more than 5 minutes off. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Authenticates a request from its credentials: a SigV4 `authorization` header means AWS_IAM,
 * an `x-api-key` header means API_KEY; a mode the API doesn't enable is refused.
 *
 * @example
 * ```ts
 * const outcome = await authenticate(
 *   { method: 'POST', path: '/graphql', query: {}, headers: { 'x-api-key': 'da2-local' }, body: '{}', sourceIp: '127.0.0.1' },
 *   { modes: new Set(['API_KEY']), apiKeys: new Set(['da2-local']), iamPrincipals: new Map(), region: 'us-east-1' },
 * );
 * // outcome: { ok: true, caller: { mode: 'API_KEY', sourceIp: '127.0.0.1' } }
 * ```
 */
export async function authenticate(request: CredentialRequest, config: AuthConfig): Promise<AuthOutcome> {
  const { authorization } = request.headers;
  const apiKey = request.headers['x-api-key'];
  if (isSigV4Authorization(authorization)) {
    if (!config.modes.has('AWS_IAM')) {
      return { ok: false, missing: false, message: NOT_AUTHORIZED };
    }
    const outcome = await verifySigV4(request, {
      region: config.region,
      service: 'appsync',
      principals: config.iamPrincipals,
      now: new Date(),
      maxSkewMs: MAX_CLOCK_SKEW_MS,
    });
    if (!outcome.ok) {
      return { ok: false, missing: false, message: outcome.message };
    }
    return {
      ok: true,
      caller: {
        mode: 'AWS_IAM',
        sourceIp: request.sourceIp,
        accessKeyId: outcome.accessKeyId,
        principal: outcome.principal,
      },
    };
  }
  if (apiKey !== undefined) {
    if (!config.modes.has('API_KEY') || !config.apiKeys.has(apiKey)) {
      return { ok: false, missing: false, message: NOT_AUTHORIZED };
    }
    return { ok: true, caller: { mode: 'API_KEY', sourceIp: request.sourceIp } };
  }
  if (authorization !== undefined) {
    // A JWT or Lambda-authorizer token: those modes are refused when the API is created.
    return { ok: false, missing: false, message: 'Valid authorization header not provided.' };
  }
  return { ok: false, missing: true, message: MISSING_AUTHORIZATION };
}

/** The `identity` of a resolver event: `null` for API_KEY, AppSync's IAM shape for AWS_IAM. */
export function identityOf(caller: Caller): IamIdentity | null {
  if (caller.mode === 'API_KEY') {
    return null;
  }
  return {
    accountId: caller.principal.accountId,
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    cognitoIdentityAuthType: null,
    cognitoIdentityAuthProvider: null,
    sourceIp: [caller.sourceIp],
    username: caller.principal.username,
    userArn: caller.principal.userArn,
  };
}

/** The resource an IAM policy must allow `appsync:GraphQL` on for one field. */
export function fieldArn(
  region: string,
  accountId: string,
  apiId: string,
  typeName: string,
  fieldName: string,
): string {
  return `arn:aws:appsync:${region}:${accountId}:apis/${apiId}/types/${typeName}/fields/${fieldName}`;
}

/** Lower-cases header names and joins repeated headers, as a signature check needs them. */
export function normalizeHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') {
      normalized[name.toLowerCase()] = value;
    } else if (Array.isArray(value)) {
      normalized[name.toLowerCase()] = value.map(String).join(',');
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      normalized[name.toLowerCase()] = String(value);
    }
  }
  return normalized;
}
