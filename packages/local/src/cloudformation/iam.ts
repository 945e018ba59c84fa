/**
 * A small IAM identity-policy evaluator, and the collection of each role's statements from a template.
 *
 * Evaluation follows the IAM rules for identity policies: an explicit `Deny` wins, then any `Allow`,
 * else the request is implicitly denied. Simplifications, on purpose:
 *
 * - A statement with a non-empty `Condition` never matches (the local runtime has no request context
 *   to test conditions against). So a conditional `Allow` grants nothing and a conditional `Deny`
 *   denies nothing.
 * - `Principal` is ignored (it has no meaning in identity policies).
 * - Actions match case-insensitively, resources case-sensitively; `*` matches any run of characters
 *   (across `:` and `/`, as in CDK's `<function arn>:*`), `?` exactly one.
 * - Permission boundaries, SCPs, session policies and resource policies are not evaluated.
 */
import type { CloudFormationTemplate } from './template';

/** One statement of an IAM policy document, with intrinsics already resolved. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/** The outcome of evaluating a request against statements. */
export type IamDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

function asList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

const patternCache = new Map<string, RegExp>();

/** Compiles an IAM wildcard pattern (`*`, `?`) into an anchored regular expression. */
function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}:${pattern}`;
  let compiled = patternCache.get(key);
  if (compiled === undefined) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    compiled = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    patternCache.set(key, compiled);
  }
  return compiled;
}

/**
 * Whether an IAM wildcard pattern matches a value.
 *
 * @example
 * wildcardMatch('dynamodb:Get*', 'dynamodb:GetItem', true); // true
 */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  return wildcardRegExp(pattern, caseInsensitive).test(value);
}

function statementMatches(statement: PolicyStatement, action: string, resourceArn: string): boolean {
  if (statement.Condition !== undefined && Object.keys(statement.Condition).length > 0) return false;
  const actionMatches =
    statement.Action !== undefined
      ? asList(statement.Action).some((pattern) => wildcardMatch(pattern, action, true))
      : statement.NotAction !== undefined &&
        !asList(statement.NotAction).some((pattern) => wildcardMatch(pattern, action, true));
  if (!actionMatches) return false;
  if (statement.Resource !== undefined)
    return asList(statement.Resource).some((pattern) => wildcardMatch(pattern, resourceArn, false));
  if (statement.NotResource !== undefined)
    return !asList(statement.NotResource).some((pattern) => wildcardMatch(pattern, resourceArn, false));
  return false;
}

/**
 * Evaluates a request (`action` on `resourceArn`) against identity-policy statements.
 *
 * @example
 * iamDecision([{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }, { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*' }],
 *   'dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:000000000000:table/t'); // 'explicit-deny'
 */
export function iamDecision(statements: readonly PolicyStatement[], action: string, resourceArn: string): IamDecision {
  let allowed = false;
  for (const statement of statements) {
    if (!statementMatches(statement, action, resourceArn)) continue;
    if (statement.Effect === 'Deny') return 'explicit-deny';
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/**
 * True when the statements allow `action` on `resourceArn` (an `Allow` matches and no `Deny` does).
 * Statements with a non-empty `Condition` are treated as not matching (see the module notes).
 *
 * @example
 * iamAllows([{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: 'arn:aws:dynamodb:*:*:table/events' }],
 *   'dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:000000000000:table/events'); // true
 */
export function iamAllows(statements: readonly PolicyStatement[], action: string, resourceArn: string): boolean {
  return iamDecision(statements, action, resourceArn) === 'allow';
}

// ---- collecting a role's statements from a template ---------------------------------------------

/** Statements of the AWS managed policies the local runtime knows, by policy name (after `:policy/`). */
const AWS_MANAGED_POLICIES: Readonly<Record<string, readonly PolicyStatement[]>> = {
  'service-role/AWSLambdaBasicExecutionRole': [
    { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
  ],
  'service-role/AWSLambdaVPCAccessExecutionRole': [
    {
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    },
  ],
  AWSXRayDaemonWriteAccess: [
    {
      Effect: 'Allow',
      Action: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:GetSamplingStatisticSummaries',
      ],
      Resource: '*',
    },
  ],
};

/** The statements that apply to one role. */
export interface RolePolicies {
  readonly statements: PolicyStatement[];
  /** Managed policy ARNs attached to the role whose statements are unknown locally (they grant nothing here). */
  readonly unknownManagedPolicyArns: string[];
}

type Resolve = (value: unknown, where: string) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The statements of a resolved policy document; malformed statements are skipped. */
function documentStatements(document: unknown): PolicyStatement[] {
  if (!isRecord(document)) return [];
  const raw = document['Statement'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter(
    (statement): statement is PolicyStatement =>
      isRecord(statement) && (statement['Effect'] === 'Allow' || statement['Effect'] === 'Deny'),
  );
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Gathers, for every `AWS::IAM::Role` in the template, the statements that apply to it: its inline
 * `Policies`, every `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` whose `Roles` names it, and its
 * `ManagedPolicyArns` (customer managed policies from the same template, and the few AWS managed
 * policies listed in this module — `AWSLambdaBasicExecutionRole` grants CloudWatch Logs only).
 *
 * `resolve` evaluates intrinsics (use `StackContext.resolve`). Roles are matched by their resolved
 * `Ref` (the role name), so `Roles: [{ Ref: 'MyRole' }]` and a literal name both work.
 *
 * @example
 * const stack = createStackContext({ template, stackName: 'Core', region, accountId });
 * const roles = collectRolePolicies(template, stack.resolve);
 * iamAllows(roles['HandlerServiceRoleFCDC14AE']?.statements ?? [], 'dynamodb:PutItem', tableArn);
 */
export function collectRolePolicies(template: CloudFormationTemplate, resolve: Resolve): Record<string, RolePolicies> {
  const resources = template.Resources ?? {};
  const result: Record<string, RolePolicies> = {};
  const roleByName = new Map<string, string>();
  const managedPolicyByArn = new Map<string, PolicyStatement[]>();

  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::IAM::Role') {
      result[logicalId] = { statements: [], unknownManagedPolicyArns: [] };
      const name = resolve({ Ref: logicalId }, `Resources.${logicalId}`);
      if (typeof name === 'string') roleByName.set(name, logicalId);
    }
    if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      const arn = resolve({ Ref: logicalId }, `Resources.${logicalId}`);
      const document = resolve(
        resource.Properties?.['PolicyDocument'],
        `Resources.${logicalId}.Properties.PolicyDocument`,
      );
      if (typeof arn === 'string') managedPolicyByArn.set(arn, documentStatements(document));
    }
  }

  const attach = (rolesValue: unknown, statements: readonly PolicyStatement[]): void => {
    for (const roleName of stringList(rolesValue)) {
      const roleId = roleByName.get(roleName);
      if (roleId !== undefined) result[roleId]?.statements.push(...statements);
    }
  };

  for (const [logicalId, resource] of Object.entries(resources)) {
    const where = `Resources.${logicalId}.Properties`;
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy') {
      const statements = documentStatements(resolve(properties['PolicyDocument'], `${where}.PolicyDocument`));
      attach(resolve(properties['Roles'], `${where}.Roles`), statements);
    } else if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      const statements = documentStatements(resolve(properties['PolicyDocument'], `${where}.PolicyDocument`));
      attach(resolve(properties['Roles'], `${where}.Roles`), statements);
    } else if (resource.Type === 'AWS::IAM::Role') {
      const role = result[logicalId];
      if (role === undefined) continue;
      const inline = resolve(properties['Policies'], `${where}.Policies`);
      if (Array.isArray(inline)) {
        for (const policy of inline)
          if (isRecord(policy)) role.statements.push(...documentStatements(policy['PolicyDocument']));
      }
      for (const arn of stringList(resolve(properties['ManagedPolicyArns'], `${where}.ManagedPolicyArns`))) {
        const customer = managedPolicyByArn.get(arn);
        const awsManaged = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
        const known = customer ?? (awsManaged === undefined ? undefined : AWS_MANAGED_POLICIES[awsManaged]);
        if (known === undefined) role.unknownManagedPolicyArns.push(arn);
        else role.statements.push(...known);
      }
    }
  }
  return result;
}
