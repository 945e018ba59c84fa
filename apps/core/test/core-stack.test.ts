/**
 * The core stack's own resources (the bus, the API) and cdk-nag. What every aggregate must have is
 * guarded in aggregates.test.ts, over the synthesized app.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreStack, QUERY_DEPTH_LIMIT, RESOLVER_COUNT_LIMIT, type CoreStackProps } from '../src/core-stack';

/** The synths' folders, removed after the tests. */
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes without bundling (the template is what is tested here) and with cdk-nag's AwsSolutions pack. */
function synth(build: (app: App) => void): void {
  const outdir = mkdtempSync(join(tmpdir(), 'core-test-'));
  outdirs.push(outdir);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir });
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}

let template: Template;
let stack: CoreStack;

beforeAll(() => {
  synth((app) => {
    stack = new CoreStack(app, 'Core');
  });
  template = Template.fromStack(stack);
});

/** A user pool as cdk-nag's AwsSolutions pack wants one (it stands for the one an app would bring). */
function testUserPool(scope: Stack): cognito.UserPool {
  return new cognito.UserPool(scope, 'Users', {
    featurePlan: cognito.FeaturePlan.PLUS,
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    passwordPolicy: { minLength: 12, requireUppercase: true, requireDigits: true, requireSymbols: true },
  });
}

/** The template of a core stack with these props (cdk-nag runs on it). */
function templateOf(props: CoreStackProps | ((scope: Stack) => CoreStackProps)): Template {
  let built: CoreStack | undefined;
  synth((app) => {
    const given = typeof props === 'function' ? props(new Stack(app, 'Support')) : props;
    built = new CoreStack(app, 'Core', given);
  });
  return Template.fromStack(built as CoreStack);
}

describe('core stack', () => {
  it("deploys the merged schema of @core/contracts, every aggregate's fragment included", () => {
    const schemas = Object.values(template.findResources('AWS::AppSync::GraphQLSchema'));
    expect(schemas).toHaveLength(1);
    expect(schemas[0]?.Properties.Definition).toBe(
      readFileSync(require.resolve('@core/contracts/schema.graphql'), 'utf8'),
    );
  });

  it('authorizes front-end servers with IAM only by default: no API key, no introspection, limited depth and resolvers', () => {
    const api = Object.values(template.findResources('AWS::AppSync::GraphQLApi'))[0];
    expect(api?.Properties).toMatchObject({
      AuthenticationType: 'AWS_IAM',
      IntrospectionConfig: 'DISABLED',
      QueryDepthLimit: QUERY_DEPTH_LIMIT,
      ResolverCountLimit: RESOLVER_COUNT_LIMIT,
      LogConfig: { FieldLogLevel: 'ERROR', ExcludeVerboseContent: true },
    });
    expect(api?.Properties.AdditionalAuthenticationProviders).toBeUndefined();
    template.resourceCountIs('AWS::AppSync::ApiKey', 0);
    expect(Object.keys(template.findOutputs('ApiKeyId'))).toEqual([]);
  });

  it('adds the API key and introspection in the development stage, and the API key alone when the prop asks', () => {
    const development = templateOf({ stage: 'development' });
    development.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }],
      IntrospectionConfig: 'ENABLED',
      QueryDepthLimit: Match.absent(),
      ResolverCountLimit: RESOLVER_COUNT_LIMIT,
    });
    development.resourceCountIs('AWS::AppSync::ApiKey', 1);
    expect(Object.keys(development.findOutputs('ApiKeyId'))).toEqual(['ApiKeyId']);
    templateOf({ apiKey: true }).hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }],
      IntrospectionConfig: 'DISABLED',
    });
  });

  it('adds a Cognito user pool mode when given a user pool', () => {
    const withPool = templateOf((support) => ({ userPool: testUserPool(support) }));
    withPool.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AdditionalAuthenticationProviders: [
        Match.objectLike({
          AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
          UserPoolConfig: Match.objectLike({ UserPoolId: Match.anyValue() }),
        }),
      ],
    });
  });

  it('encrypts the event stores with a customer managed key when given one, and grants the handlers its use', () => {
    const withKey = templateOf((support) => ({
      eventStoreKey: new kms.Key(support, 'Key', { enableKeyRotation: true }),
    }));
    withKey.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
    const actions = Object.values(withKey.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => s.Action),
    );
    expect(actions).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']));
  });

  it("logs the API's field errors through a role that may write to the API's log group only", () => {
    const api = Object.values(template.findResources('AWS::AppSync::GraphQLApi'))[0];
    const roleId = (api?.Properties.LogConfig.CloudWatchLogsRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiLogs'), 'Arn'] },
          },
        ],
      },
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('passes for the core stack in both stages and with every prop (every finding acknowledged with a reason)', () => {
    expect(() => synth((app) => new CoreStack(app, 'Core'))).not.toThrow();
    expect(() => synth((app) => new CoreStack(app, 'CoreDev', { stage: 'development' }))).not.toThrow();
    expect(() =>
      templateOf((support) => ({
        userPool: testUserPool(support),
        eventStoreKey: new kms.Key(support, 'Key', { enableKeyRotation: true }),
      })),
    ).not.toThrow();
  });

  it('is really running: an unacknowledged finding fails synthesis', () => {
    expect(() =>
      synth((app) => {
        new sqs.Queue(new Stack(app, 'Bad'), 'Queue');
      }),
    ).toThrow(/AwsSolutions-SQS3/);
  });
});
