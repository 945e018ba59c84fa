/**
 * What the handlers read from AppSync's direct Lambda resolver event: the caller (the actor), the
 * correlation id, and the shapes of both.
 */
import type { Actor } from '../decider';
import { ValidationError } from '../errors';

/** The parts of AppSync's direct Lambda resolver event that the handlers read. */
export interface AppSyncResolverEvent<Arguments = Record<string, unknown>> {
  readonly arguments: Arguments;
  readonly identity: AppSyncIdentity | null;
  readonly source?: unknown;
  readonly request?: { readonly headers?: Record<string, string | undefined> };
  readonly info: { readonly fieldName: string; readonly parentTypeName: string; readonly selectionSetList?: string[] };
}

/** IAM (`userArn`), Cognito (`sub`, `groups`) or nothing (API key). */
export interface AppSyncIdentity {
  readonly userArn?: string;
  readonly sub?: string;
  readonly accountId?: string;
  readonly username?: string;
  /** A Cognito user's groups (`cognito:groups`), null when the user is in none. */
  readonly groups?: readonly string[] | null;
}

/** The Lambda context fields the handlers use. */
export interface LambdaContext {
  readonly awsRequestId: string;
}

/** The header a front-end server names its user in; trusted only when its SigV4 signature covers it. */
export const USER_HEADER = 'x-core-user';
/** The header a front-end server lists its user's roles in (comma separated); trusted the same way. */
export const USER_ROLES_HEADER = 'x-core-user-roles';

const USER_ID = /^[\w.@:+=/-]{1,128}$/;
const ROLE = /^[\w.-]{1,64}$/;
const MAX_ROLES = 20;

/**
 * Who called, from AppSync's identity and never from the arguments: an IAM principal (with the user
 * a front-end server vouches for in signed headers), a Cognito user (with its groups), or the API key.
 *
 * A front-end server acting for a user sends `x-core-user: <user id>` and, optionally,
 * `x-core-user-roles: admin,...`, and lists both among the SigV4 `SignedHeaders`: AppSync verified
 * that signature before invoking the resolver, so the values are the signer's. The same headers
 * unsigned, or sent with the API key, are ignored.
 *
 * @example
 * actorOf({ identity: { userArn: 'arn:aws:iam::1:role/fe' }, request: { headers } }); // { kind: 'iam', id: 'arn:…', userId: 'u-1' }
 */
export function actorOf(event: Pick<AppSyncResolverEvent<unknown>, 'identity' | 'request'>): Actor {
  const { identity } = event;
  if (identity !== null && typeof identity.userArn === 'string')
    return { kind: 'iam', id: identity.userArn, ...vouchedUser(event.request?.headers ?? {}) };
  if (identity !== null && typeof identity.sub === 'string') {
    const roles = (identity.groups ?? []).filter((group) => ROLE.test(group)).slice(0, MAX_ROLES);
    return { kind: 'cognito', id: identity.sub, userId: identity.sub, roles };
  }
  return { kind: 'apiKey', id: 'api-key' };
}

/** The user (and roles) in the user headers, when the request's SigV4 signature covers them. */
function vouchedUser(headers: Record<string, string | undefined>): Pick<Actor, 'userId' | 'roles'> {
  const signed = signedHeadersOf(headers['authorization']);
  const userId = signed.has(USER_HEADER) ? headers[USER_HEADER] : undefined;
  if (userId === undefined) return {};
  if (!USER_ID.test(userId))
    throw new ValidationError(
      'INVALID_USER_HEADER',
      `${USER_HEADER} must be a user id of at most 128 letters, digits and . @ : + = / _ -`,
    );
  const rolesText = signed.has(USER_ROLES_HEADER) ? (headers[USER_ROLES_HEADER] ?? '') : '';
  const roles = rolesText
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
  if (roles.length > MAX_ROLES || roles.some((role) => !ROLE.test(role)))
    throw new ValidationError(
      'INVALID_USER_HEADER',
      `${USER_ROLES_HEADER} must list at most ${MAX_ROLES} role names of letters, digits and . _ -`,
    );
  return { userId, roles };
}

/** The header names a SigV4 `Authorization` header lists as signed; none for anything else. */
function signedHeadersOf(authorization: string | undefined): ReadonlySet<string> {
  const list = /^AWS4-HMAC-SHA256 .*SignedHeaders=([a-z0-9;-]+)/i.exec(authorization ?? '')?.[1];
  return new Set((list ?? '').toLowerCase().split(';'));
}

/** The correlation id a front-end server passed in `x-correlation-id`, if it is a sane one. */
export function correlationIdOf(event: AppSyncResolverEvent<unknown>): string | undefined {
  const header = event.request?.headers?.['x-correlation-id'];
  return header !== undefined && /^[\w.:-]{1,128}$/.test(header) ? header : undefined;
}
