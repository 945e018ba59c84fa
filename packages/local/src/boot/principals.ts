/**
 * Roles and principals: every IAM role in the templates gets its own access key, handed to the
 * functions that run as that role, so that the local services verify their signatures and check the
 * role's policies from the template. Two principals stand for callers outside the stacks: the
 * front-end servers, which may call every AppSync field except those the templates grant to one of
 * their own roles (the internal notification mutations, theirs alone) and nothing else; and an
 * operator (what an administrator's own AWS credentials would be), which may do anything the
 * resource policies do not deny, for tools and tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { collectRolePolicies, type RolePolicies } from '../cloudformation';
import { allows, iamDecision, type IamPrincipal } from '../iam';
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
  readonly operatorCredentials: LocalCredentials;
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
        roleArn: String(ctx.getAtt(roleId, 'Arn')),
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
  const reserved = (resourceArn: string) => roles.some((role) => allows(role, 'appsync:GraphQL', resourceArn));
  byAccessKey.set(frontEndCredentials.accessKeyId, frontEndPrincipal(accountId, frontEndCredentials, reserved));
  const operatorCredentials = { accessKeyId: 'AKIALOCALOPERATOR000', secretAccessKey: newSecret() };
  byAccessKey.set(operatorCredentials.accessKeyId, operatorPrincipal(accountId, operatorCredentials));
  return {
    byAccessKey,
    credentialsOf: (stackName, roleLogicalId) => credentials.get(`${stackName}/${roleLogicalId}`),
    signedByRole: (authorization) => {
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
      return accessKeyId !== undefined && [...credentials.values()].some((key) => key.accessKeyId === accessKeyId);
    },
    frontEndCredentials,
    operatorCredentials,
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
  /** The role's ARN (`aws:PrincipalArn` of its sessions). */
  readonly roleArn: string;
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
    principalArn: options.roleArn,
    username: `${options.roleLogicalId}:local`,
    accountId: options.accountId,
    decide: (request) => iamDecision(statements, request.action, request.resource, request.context),
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
  const userArn = `arn:aws:iam::${accountId}:user/local-front-end-server`;
  return {
    secretAccessKey: credentials.secretAccessKey,
    userArn,
    principalArn: userArn,
    username: 'local-front-end-server',
    accountId,
    decide: ({ action, resource }) =>
      action === 'appsync:GraphQL' && !reservedFields(resource) ? 'allow' : 'implicit-deny',
  };
}

/**
 * The operator: every action on every resource is allowed by its identity policy, as an
 * administrator's would be; a resource policy's explicit deny (the bus refusing an aggregate's source,
 * an event store refusing writes) still applies.
 */
export function operatorPrincipal(accountId: string, credentials: LocalCredentials): IamPrincipal {
  const userArn = `arn:aws:iam::${accountId}:user/local-operator`;
  return {
    secretAccessKey: credentials.secretAccessKey,
    userArn,
    principalArn: userArn,
    username: 'local-operator',
    accountId,
    decide: () => 'allow',
  };
}
