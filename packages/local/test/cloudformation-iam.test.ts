import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  collectRolePolicies,
  createStackContext,
  iamAllows,
  iamDecision,
  loadCloudAssembly,
  parseTemplate,
  type PolicyStatement,
} from '../src/cloudformation';

const TABLE = 'arn:aws:dynamodb:eu-west-1:000000000000:table/events';

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

  it('treats statements with conditions as not matching, for Allow and Deny alike', () => {
    const condition = { StringEquals: { 'aws:SourceAccount': '000000000000' } };
    expect(
      iamAllows([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }], 'dynamodb:GetItem', TABLE),
    ).toBe(false);
    expect(
      iamAllows(
        [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: '*', Resource: '*', Condition: condition },
        ],
        'dynamodb:GetItem',
        TABLE,
      ),
    ).toBe(true);
    expect(iamAllows([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }], 'dynamodb:GetItem', TABLE)).toBe(
      true,
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
