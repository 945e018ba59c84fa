/**
 * The core stack's own resources (the bus, the API) and cdk-nag. What every aggregate must have is
 * guarded in aggregates.test.ts, over the synthesized app.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
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

let template: Template;
let stack: CoreStack;

beforeAll(() => {
  synth((app) => {
    stack = new CoreStack(app, 'Core');
  });
  template = Template.fromStack(stack);
});

describe('core stack', () => {
  it("deploys the merged schema of @core/contracts, every aggregate's fragment included", () => {
    const schemas = Object.values(template.findResources('AWS::AppSync::GraphQLSchema'));
    expect(schemas).toHaveLength(1);
    expect(schemas[0]?.Properties.Definition).toBe(
      readFileSync(require.resolve('@core/contracts/schema.graphql'), 'utf8'),
    );
  });

  it('authorizes front-end servers with IAM by default and the API key as an additional mode', () => {
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AWS_IAM',
      AdditionalAuthenticationProviders: [{ AuthenticationType: 'API_KEY' }],
      LogConfig: { FieldLogLevel: 'ERROR', ExcludeVerboseContent: true },
    });
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
