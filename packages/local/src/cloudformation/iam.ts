/**
 * The IAM policies of a template, collected for the local IAM evaluator (`../iam/policy`): each
 * role's statements (inline policies, attached policies, managed policies), and the resource
 * policies of the resources whose service the local core authorizes (event buses, DynamoDB tables).
 */
import type { PolicyStatement } from '../iam/policy';
import { eventBusArn } from './physical-ids';
import type { StackContext } from './stack-context';
import type { CloudFormationTemplate } from './template';

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

/**
 * The resource policies of a stack, by the ARN of the resource they guard: each
 * `AWS::Events::EventBusPolicy` (its `Statement`, or the older `Action`/`Principal`/`Condition`
 * form), an `AWS::Events::EventBus`'s `Policy`, and an `AWS::DynamoDB::Table`'s `ResourcePolicy`.
 *
 * @example
 * const policies = collectResourcePolicies(ctx);
 * policies.get(busArn); // [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'events:PutEvents', ... }]
 */
export function collectResourcePolicies(ctx: StackContext): Map<string, PolicyStatement[]> {
  const policies = new Map<string, PolicyStatement[]>();
  const add = (arn: string, statements: readonly PolicyStatement[]) =>
    policies.set(arn, [...(policies.get(arn) ?? []), ...statements]);
  for (const id of ctx.resourcesOfType('AWS::Events::EventBusPolicy')) {
    const props = ctx.resolveProperties(id);
    const name = String(props['EventBusName'] ?? 'default');
    const arn = name.startsWith('arn:') ? name : eventBusArn(ctx.region, ctx.accountId, name);
    add(arn, busPolicyStatements(props, arn));
  }
  for (const id of ctx.resourcesOfType('AWS::Events::EventBus')) {
    const policy = ctx.resolveProperties(id)['Policy'];
    add(String(ctx.getAtt(id, 'Arn')), documentStatements(typeof policy === 'string' ? JSON.parse(policy) : policy));
  }
  for (const id of ctx.resourcesOfType('AWS::DynamoDB::Table')) {
    const policy = (ctx.resolveProperties(id)['ResourcePolicy'] as { PolicyDocument?: unknown } | undefined)
      ?.PolicyDocument;
    add(String(ctx.getAtt(id, 'Arn')), documentStatements(typeof policy === 'string' ? JSON.parse(policy) : policy));
  }
  return policies;
}

/** An `AWS::Events::EventBusPolicy`'s statement: its `Statement`, or one built from the older properties. */
function busPolicyStatements(props: Record<string, unknown>, busArn: string): PolicyStatement[] {
  if (props['Statement'] !== undefined) return documentStatements({ Statement: props['Statement'] });
  const condition = props['Condition'] as { Type?: string; Key?: string; Value?: string } | undefined;
  const principal = String(props['Principal'] ?? '');
  return [
    {
      Effect: 'Allow',
      Principal: principal === '*' ? '*' : { AWS: principal },
      Action: String(props['Action'] ?? 'events:PutEvents'),
      Resource: busArn,
      ...(condition?.Key === undefined
        ? {}
        : { Condition: { [condition.Type ?? 'StringEquals']: { [condition.Key]: condition.Value ?? '' } } }),
    },
  ];
}
