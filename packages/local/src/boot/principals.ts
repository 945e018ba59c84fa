/**
 * Roles and principals: every IAM role in the templates gets its own access key, handed to the
 * functions that run as that role, so that the local services verify their signatures and check the
 * role's policies from the template. A "front-end server" principal stands for the callers outside
 * the stacks: it may call every AppSync field except those the templates grant to one of their own
 * roles (the internal notification mutations), which are theirs alone.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IamPrincipal } from '../appsync';
import { collectRolePolicies, iamAllows, type RolePolicies } from '../cloudformation';
import type { LocalStack } from './stacks';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The principals of one boot. */
export interface LocalPrincipals {
  /** Every principal by access key id: the roles' and the front end's. */
  readonly byAccessKey: ReadonlyMap<string, IamPrincipal>;
  /** The credentials of a role, by stack name and the role's logical id. */
  credentialsOf(stackName: string, roleLogicalId: string): LocalCredentials | undefined;
  /** True when a SigV4 `Authorization` header is signed with one of the templates' roles (a function's request). */
  signedByRole(authorization: string | undefined): boolean;
  readonly frontEndCredentials: LocalCredentials;
}

export function createPrincipals(stacks: readonly LocalStack[], accountId: string): LocalPrincipals {
  const byAccessKey = new Map<string, IamPrincipal>();
  const credentials = new Map<string, LocalCredentials>();
  const roles: IamPrincipal[] = [];
  for (const { stack, ctx } of stacks) {
    const policies = collectRolePolicies(stack.template, ctx.resolve);
    for (const roleId of ctx.resourcesOfType('AWS::IAM::Role')) {
      const key = { accessKeyId: roleAccessKeyId(`${stack.stackName}/${roleId}`), secretAccessKey: newSecret() };
      credentials.set(`${stack.stackName}/${roleId}`, key);
      const principal = rolePrincipal({
        roleLogicalId: roleId,
        roleName: String(ctx.ref(roleId)),
        accountId,
        policies: policies[roleId],
        credentials: key,
      });
      byAccessKey.set(key.accessKeyId, principal);
      roles.push(principal);
    }
  }
  const frontEndCredentials = { accessKeyId: 'AKIALOCALFRONTEND000', secretAccessKey: newSecret() };
  // Fields the templates grant to one of their roles (appsync:GraphQL) are that role's: internal mutations.
  const reserved = (resourceArn: string) => roles.some((role) => role.allows('appsync:GraphQL', resourceArn));
  byAccessKey.set(frontEndCredentials.accessKeyId, frontEndPrincipal(accountId, frontEndCredentials, reserved));
  return {
    byAccessKey,
    credentialsOf: (stackName, roleLogicalId) => credentials.get(`${stackName}/${roleLogicalId}`),
    signedByRole: (authorization) => {
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
      return accessKeyId !== undefined && [...credentials.values()].some((key) => key.accessKeyId === accessKeyId);
    },
    frontEndCredentials,
  };
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
 * every field except those the template grants to one of its own roles, which are theirs alone.
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
