import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  collectResourcePolicies,
  collectRolePolicies,
  createStackContext,
  loadCloudAssembly,
  parseTemplate,
} from '../src/cloudformation';
import {
  authorize,
  evaluateRequest,
  iamAllows,
  iamDecision,
  type IamPrincipal,
  type PolicyStatement,
} from '../src/iam';

const TABLE = 'arn:aws:dynamodb:eu-west-1:000000000000:table/events';
const BUS = 'arn:aws:events:eu-west-1:000000000000:event-bus/core';
const ROLE = 'arn:aws:iam::000000000000:role/Writer-1';
const OTHER = 'arn:aws:iam::000000000000:role/Reader-1';

describe('iamAllows', () => {
  it('denies what no statement allows', () => {
    expect(iamAllows([], 'dynamodb:GetItem', TABLE)).toBe(false);
    expect(
      iamDecision([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: TABLE }], 'dynamodb:GetItem', TABLE),
    ).toBe('implicit-deny');
  });

  it('matches action wildcards case-insensitively', () => {
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', Action: ['DynamoDB:Get*', 'dynamodb:Quer?'], Resource: '*' },
    ];
    expect(iamAllows(statements, 'dynamodb:GetItem', TABLE)).toBe(true);
    expect(iamAllows(statements, 'dynamodb:Query', TABLE)).toBe(true);
    expect(iamAllows(statements, 'dynamodb:PutItem', TABLE)).toBe(false);
  });

  it('matches resource wildcards, across ARN segments, case-sensitively', () => {
    const statements: PolicyStatement[] = [
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          'arn:aws:lambda:eu-west-1:000000000000:function:fn',
          'arn:aws:lambda:eu-west-1:000000000000:function:fn:*',
        ],
      },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: 'arn:aws:dynamodb:*:*:table/events/index/*' },
    ];
    expect(iamAllows(statements, 'lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:000000000000:function:fn')).toBe(
      true,
    );
    expect(
      iamAllows(statements, 'lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:000000000000:function:fn:live'),
    ).toBe(true);
    expect(iamAllows(statements, 'lambda:InvokeFunction', 'arn:aws:lambda:eu-west-1:000000000000:function:other')).toBe(
      false,
    );
    expect(iamAllows(statements, 'dynamodb:Query', `${TABLE}/index/byType`)).toBe(true);
    expect(iamAllows(statements, 'dynamodb:Query', TABLE)).toBe(false);
    expect(
      iamAllows(statements, 'dynamodb:Query', 'arn:aws:dynamodb:eu-west-1:000000000000:table/EVENTS/index/x'),
    ).toBe(false);
  });

  it('lets an explicit deny win over any allow', () => {
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: TABLE },
    ];
    expect(iamDecision(statements, 'dynamodb:DeleteTable', TABLE)).toBe('explicit-deny');
    expect(iamAllows(statements, 'dynamodb:DeleteItem', TABLE)).toBe(true);
  });

  it('supports NotAction and NotResource', () => {
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'sqs:*', NotResource: 'arn:aws:sqs:*:*:allowed' },
    ];
    expect(iamAllows(statements, 'dynamodb:GetItem', TABLE)).toBe(true);
    expect(iamAllows(statements, 'iam:PassRole', 'arn:aws:iam::000000000000:role/x')).toBe(false);
    expect(iamAllows(statements, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:000000000000:allowed')).toBe(true);
    expect(iamAllows(statements, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:000000000000:other')).toBe(false);
  });

  it("evaluates conditions on the request's keys: an Allow needs them to hold, a Deny applies when they do", () => {
    const context = { 'events:source': 'core.reservation', 'events:detail-type': 'Commit' };
    const publish: PolicyStatement = {
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: '*',
      Condition: {
        StringEquals: { 'events:source': ['core.reservation'], 'EVENTS:detail-type': ['Commit', 'Renotify'] },
      },
    };
    expect(iamAllows([publish], 'events:PutEvents', BUS, context)).toBe(true);
    expect(iamAllows([publish], 'events:PutEvents', BUS, { ...context, 'events:source': 'core.room' })).toBe(false);
    expect(iamAllows([publish], 'events:PutEvents', BUS, { ...context, 'events:detail-type': 'Other' })).toBe(false);
    expect(iamAllows([publish], 'events:PutEvents', BUS)).toBe(false);
    const notRoot: PolicyStatement = {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Writer*' } },
    };
    const all: PolicyStatement = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(iamAllows([all, notRoot], 'dynamodb:PutItem', TABLE, { 'aws:PrincipalArn': ROLE })).toBe(true);
    expect(iamDecision([all, notRoot], 'dynamodb:PutItem', TABLE, { 'aws:PrincipalArn': OTHER })).toBe('explicit-deny');
    // A negated operator holds when the key is missing; a positive one does not, unless …IfExists.
    expect(iamDecision([all, notRoot], 'dynamodb:PutItem', TABLE)).toBe('explicit-deny');
    const ifExists: PolicyStatement = { ...publish, Condition: { StringEqualsIfExists: { 'events:source': 'x' } } };
    expect(iamAllows([ifExists], 'events:PutEvents', BUS)).toBe(true);
    const isNull: PolicyStatement = { ...all, Condition: { Null: { 'aws:TokenIssueTime': 'true' } } };
    expect(iamAllows([isNull], 'dynamodb:GetItem', TABLE)).toBe(true);
    expect(iamAllows([{ ...all, Condition: {} }], 'dynamodb:GetItem', TABLE)).toBe(true);
  });

  it('fails closed on a condition operator it does not know: such an Allow grants nothing, such a Deny denies', () => {
    const unknown = { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };
    const all: PolicyStatement = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(iamAllows([{ ...all, Condition: unknown }], 'dynamodb:GetItem', TABLE)).toBe(false);
    expect(iamDecision([all, { ...all, Effect: 'Deny', Condition: unknown }], 'dynamodb:GetItem', TABLE)).toBe(
      'explicit-deny',
    );
  });

  it('does not treat regular-expression characters in patterns specially', () => {
    expect(
      iamAllows(
        [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a.b/*' }],
        's3:GetObject',
        'arn:aws:s3:::aXb/k',
      ),
    ).toBe(false);
  });
});

describe('authorize: identity and resource policies together', () => {
  const principal = (principalArn: string, identity: PolicyStatement[]): IamPrincipal => ({
    secretAccessKey: 's',
    userArn: principalArn,
    principalArn,
    username: 'u',
    accountId: '000000000000',
    decide: (request) => iamDecision(identity, request.action, request.resource, request.context),
  });
  const onlyWriterAppends: PolicyStatement[] = [
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'dynamodb:PutItem',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': ROLE } },
    },
  ];
  const admin = [{ Effect: 'Allow', Action: '*', Resource: '*' }] as PolicyStatement[];

  it("lets a resource policy's explicit deny win over an identity policy's allow, naming it", () => {
    expect(
      authorize(principal(OTHER, admin), { action: 'dynamodb:PutItem', resource: TABLE }, onlyWriterAppends),
    ).toEqual({ decision: 'explicit-deny', deniedBy: 'resource-based policy' });
    expect(
      authorize(principal(ROLE, admin), { action: 'dynamodb:PutItem', resource: TABLE }, onlyWriterAppends).decision,
    ).toBe('allow');
  });

  it('allows by a resource policy only a principal it names, and denies what neither allows', () => {
    const grant: PolicyStatement[] = [
      { Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'events:PutEvents', Resource: BUS },
    ];
    expect(authorize(principal(ROLE, []), { action: 'events:PutEvents', resource: BUS }, grant).decision).toBe('allow');
    expect(authorize(principal(OTHER, []), { action: 'events:PutEvents', resource: BUS }, grant).decision).toBe(
      'implicit-deny',
    );
    const account: PolicyStatement[] = [{ ...grant[0]!, Principal: { AWS: 'arn:aws:iam::000000000000:root' } }];
    expect(
      evaluateRequest('implicit-deny', account, principal(OTHER, []), { action: 'events:PutEvents', resource: BUS }),
    ).toEqual({
      decision: 'allow',
    });
    expect(
      authorize(principal(OTHER, [{ ...admin[0]!, Effect: 'Deny' }]), { action: 'x:Y', resource: BUS }, grant),
    ).toEqual({
      decision: 'explicit-deny',
      deniedBy: 'identity-based policy',
    });
  });
});

describe('collectRolePolicies', () => {
  it('gathers attached policies, inline policies and managed policies per role', () => {
    const template = parseTemplate(
      JSON.parse(readFileSync(join(__dirname, 'fixtures/templates/iam.template.json'), 'utf8')),
      'iam.template.json',
    );
    const stack = createStackContext({ template, stackName: 'Core', region: 'eu-west-1', accountId: '000000000000' });
    const roles = collectRolePolicies(template, stack.resolve);
    expect(Object.keys(roles).sort()).toEqual(['OtherRole', 'Role']);
    const role = roles['Role']!;
    expect(iamAllows(role.statements, 'dynamodb:GetItem', TABLE)).toBe(true);
    expect(iamAllows(role.statements, 'dynamodb:Query', `${TABLE}/index/byType`)).toBe(true);
    expect(iamDecision(role.statements, 'dynamodb:DeleteItem', TABLE)).toBe('explicit-deny');
    expect(iamAllows(role.statements, 'logs:PutLogEvents', 'arn:aws:logs:eu-west-1:000000000000:log-group:x')).toBe(
      true,
    );
    expect(iamAllows(role.statements, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:000000000000:q')).toBe(true);
    expect(
      iamAllows(role.statements, 'events:PutEvents', 'arn:aws:events:eu-west-1:000000000000:event-bus/default'),
    ).toBe(false);
    expect(role.unknownManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/AmazonS3FullAccess']);
    // The same AWS::IAM::Policy names the second role by its literal name.
    expect(iamAllows(roles['OtherRole']!.statements, 'dynamodb:PutItem', TABLE)).toBe(true);
    expect(iamAllows(roles['OtherRole']!.statements, 'logs:PutLogEvents', '*')).toBe(false);
  });

  it("reads the grants of a synthesized CDK stack (NodejsFunction's service role)", () => {
    const stack = loadCloudAssembly(join(__dirname, 'fixtures/cloud-assembly')).stacks.find(
      (s) => s.stackName === 'Core',
    )!;
    const context = createStackContext({
      template: stack.template,
      stackName: 'Core',
      region: 'eu-west-1',
      accountId: '000000000000',
    });
    const roles = collectRolePolicies(stack.template, context.resolve);
    const handlerRole = roles['HandlerServiceRoleFCDC14AE']!;
    const tableArn = String(context.resolve({ 'Fn::GetAtt': ['EventsD32975C2', 'Arn'] }));
    const busArn = String(context.resolve({ 'Fn::GetAtt': ['BusEA82B648', 'Arn'] }));
    expect(iamAllows(handlerRole.statements, 'dynamodb:PutItem', tableArn)).toBe(true);
    expect(iamAllows(handlerRole.statements, 'dynamodb:DeleteTable', tableArn)).toBe(false);
    expect(iamAllows(handlerRole.statements, 'events:PutEvents', busArn)).toBe(true);
    expect(iamAllows(handlerRole.statements, 'logs:CreateLogStream', '*')).toBe(true);
    expect(handlerRole.unknownManagedPolicyArns).toEqual([]);
    const fnArn = String(context.resolve({ 'Fn::GetAtt': ['Handler886CB40B', 'Arn'] }));
    expect(iamAllows(roles['ApifnDsServiceRoleAEC66317']!.statements, 'lambda:InvokeFunction', fnArn)).toBe(true);
    expect(iamAllows(roles['FlowRoleD99EA574']!.statements, 'lambda:InvokeFunction', `${fnArn}:live`)).toBe(true);
    expect(iamAllows(roles['FlowRoleD99EA574']!.statements, 'dynamodb:GetItem', tableArn)).toBe(false);
  });
});

describe('collectResourcePolicies', () => {
  it("collects event bus policies (both forms) and tables' resource policies, by the ARN they guard", () => {
    const template = parseTemplate(
      JSON.parse(readFileSync(join(__dirname, 'fixtures/templates/resource-policies.template.json'), 'utf8')),
      'resource-policies.template.json',
    );
    const ctx = createStackContext({ template, stackName: 'Core', region: 'eu-west-1', accountId: '000000000000' });
    const policies = collectResourcePolicies(ctx);
    const busArn = 'arn:aws:events:eu-west-1:000000000000:event-bus/core';
    const tableArn = String(ctx.getAtt('Events', 'Arn'));
    expect([...policies.keys()].sort()).toEqual([busArn, tableArn].sort());
    expect(policies.get(busArn)).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Condition: {
          StringEquals: { 'events:source': 'core.orders' },
          ArnNotEquals: { 'aws:PrincipalArn': String(ctx.getAtt('Writer', 'Arn')) },
        },
      }),
      {
        Effect: 'Allow',
        Principal: { AWS: '111122223333' },
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } },
      },
    ]);
    expect(policies.get(tableArn)).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'dynamodb:DeleteItem' }),
    ]);
  });
});
