/**
 * Local credentials: every IAM role in the template gets its own access key, handed to the functions
 * that run as that role, so that the local AppSync endpoint verifies their signatures and checks the
 * role's policies from the template. A "front-end server" principal stands for the callers outside
 * the stack.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IamPrincipal } from '../appsync';
import { iamAllows, type RolePolicies } from '../cloudformation';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The access key id of a role: stable across restarts, so logs stay comparable. */
export function roleAccessKeyId(roleLogicalId: string): string {
  return `ASIALOCAL${createHash('sha256').update(roleLogicalId).digest('hex').slice(0, 11).toUpperCase()}`;
}

/** A new secret per boot: credentials live as long as the local core. */
export function newSecret(): string {
  return randomBytes(30).toString('base64url');
}

export interface RolePrincipalOptions {
  readonly roleLogicalId: string;
  readonly roleName: string;
  readonly accountId: string;
  readonly policies: RolePolicies | undefined;
  readonly credentials: LocalCredentials;
}

/** The principal a function's signed requests authenticate as: its role, with the role's policies. */
export function rolePrincipal(options: RolePrincipalOptions): IamPrincipal {
  const statements = options.policies?.statements ?? [];
  return {
    secretAccessKey: options.credentials.secretAccessKey,
    userArn: `arn:aws:sts::${options.accountId}:assumed-role/${options.roleName}/local`,
    username: `${options.roleLogicalId}:local`,
    accountId: options.accountId,
    allows: (action, resourceArn) => iamAllows(statements, action, resourceArn),
  };
}

/**
 * The front-end servers' principal. In AWS their role lives outside this stack; locally it may call
 * every field except those the template grants to one of its own roles (the internal notification
 * mutations), which are theirs alone.
 */
export function frontEndPrincipal(
  accountId: string,
  credentials: LocalCredentials,
  reservedFields: (resourceArn: string) => boolean,
): IamPrincipal {
  return {
    secretAccessKey: credentials.secretAccessKey,
    userArn: `arn:aws:iam::${accountId}:user/local-front-end-server`,
    username: 'local-front-end-server',
    accountId,
    allows: (action, resourceArn) => action === 'appsync:GraphQL' && !reservedFields(resourceArn),
  };
}
