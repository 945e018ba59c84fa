import { beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreStack } from '../src/core-stack';

/** Synthesizes without bundling (the template is what is tested here) and with cdk-nag's AwsSolutions pack. */
function synth(build: (app: App) => void): void {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    outdir: mkdtempSync(join(tmpdir(), 'core-test-')),
  });
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
let template: Template;
let stack: CoreStack;

/** Every statement of the policies attached to the role of the function with this logical id prefix. */
function statementsOf(functionIdPrefix: string): Statement[] {
  const functions = template.findResources('AWS::Lambda::Function');
  const fnId = Object.keys(functions).find((id) => id.startsWith(functionIdPrefix));
  const roleId = (functions[fnId ?? '']?.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

beforeAll(() => {
  synth((app) => {
    stack = new CoreStack(app, 'Core');
  });
  template = Template.fromStack(stack);
});

describe('core stack', () => {
  it('runs every function on Node.js 24, arm64', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    for (const fn of functions)
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  it('keeps the event store as an on-demand table keyed by stream and version, with point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'streamId', KeyType: 'HASH' },
          { AttributeName: 'version', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  it('lets the command handler read the store and publish, but not write the store', () => {
    const actions = actionsOf(statementsOf('ReservationCommandHandler'));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem', 'events:PutEvents']));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    expect(actions.filter((a) => a.startsWith('appsync:'))).toEqual([]);
  });

  it('lets the event handler append (PutItem only, never update or delete) and call the notification mutation', () => {
    const statements = statementsOf('ReservationEventHandler');
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'appsync:GraphQL']));
    for (const forbidden of [
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'events:PutEvents',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
    const graphql = statements.find((s) => s.Action === 'appsync:GraphQL');
    expect(JSON.stringify(graphql?.Resource)).toContain('/types/Mutation/fields/reservationSaved');
  });

  it('grants the internal notification mutation to no other role', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const granting = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('appsync:GraphQL'));
    expect(granting).toHaveLength(1);
    expect(JSON.stringify(granting[0]?.Properties.Roles)).toContain('ReservationEventHandler');
  });

  it('lets the query handler only read', () => {
    const actions = actionsOf(statementsOf('ReservationQueryHandler'));
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => !a.startsWith('dynamodb:') || /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  it('deploys the merged schema with the notification mutation IAM-only', () => {
    const schemas = Object.values(template.findResources('AWS::AppSync::GraphQLSchema'));
    const definition = String(schemas[0]?.Properties.Definition);
    expect(definition).toMatch(
      /reservationSaved\(input: ReservationNotificationInput!\): ReservationNotification @aws_iam\n/,
    );
    expect(definition).toMatch(
      /createReservation\(input: CreateReservationInput!\): CommandAccepted! @aws_iam @aws_api_key/,
    );
    expect(definition).toMatch(
      /onReservationSaved\(id: ID, commandId: ID, replyTo: String\): ReservationNotification @aws_subscribe\(mutations: \["reservationSaved"\]\)/,
    );
  });

  it('authorizes front-end servers with IAM by default and the API key as an additional mode', () => {
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AWS_IAM',
      AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }],
      LogConfig: { FieldLogLevel: 'ERROR' },
    });
  });

  it('resolves the notification mutation with a NONE data source and the commands with the command function', () => {
    template.hasResourceProperties('AWS::AppSync::DataSource', { Name: 'ReservationNotifications', Type: 'NONE' });
    template.hasResourceProperties('AWS::AppSync::Resolver', {
      TypeName: 'Mutation',
      FieldName: 'reservationSaved',
      DataSourceName: 'ReservationNotifications',
    });
    template.hasResourceProperties('AWS::AppSync::DataSource', {
      Name: 'ReservationCommands',
      Type: 'AWS_LAMBDA',
      LambdaConfig: {
        LambdaFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReservationCommandHandler'), 'Arn'] },
      },
    });
    for (const field of ['createReservation', 'cancelReservation']) {
      // Direct Lambda resolvers: no mapping templates.
      template.hasResourceProperties('AWS::AppSync::Resolver', {
        TypeName: 'Mutation',
        FieldName: field,
        DataSourceName: 'ReservationCommands',
        RequestMappingTemplate: Match.absent(),
      });
    }
  });

  it('delivers reservation commits to the event handler with a retry policy and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['core.reservation'], 'detail-type': ['Commit', 'Renotify'] },
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReservationDeadLetters'), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  it('configures each function with exactly the variables it reads', () => {
    const variables = (prefix: string) => {
      const functions = template.findResources('AWS::Lambda::Function');
      const id = Object.keys(functions).find((key) => key.startsWith(prefix)) ?? '';
      return Object.keys(functions[id]?.Properties.Environment.Variables ?? {}).sort();
    };
    expect(variables('ReservationCommandHandler')).toEqual([
      'COMMAND_DEADLINE_MS',
      'EVENTS_TABLE_NAME',
      'EVENT_BUS_NAME',
      'EVENT_SOURCE',
    ]);
    expect(variables('ReservationEventHandler')).toEqual(['EVENTS_TABLE_NAME', 'GRAPHQL_URL']);
    expect(variables('ReservationQueryHandler')).toEqual(['EVENTS_TABLE_NAME']);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('passes for the core stack (every finding acknowledged with a reason)', () => {
    expect(() => synth((app) => new CoreStack(app, 'Core'))).not.toThrow();
  });

  it('is really running: an unacknowledged finding fails synthesis', () => {
    expect(() =>
      synth((app) => {
        new sqs.Queue(new Stack(app, 'Bad'), 'Queue');
      }),
    ).toThrow(/AwsSolutions-SQS3/);
  });
});
