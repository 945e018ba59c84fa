import { describe, expect, it } from '@jest/globals';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EVENT_STORE_APPENDS,
  EVENT_STORE_CHANGES,
  HANDLER_ENTRY_METADATA,
  acknowledgeInvokeVersions,
  grantOwnEventSource,
  handlerFunction,
  passThroughTemplates,
  protectEventStore,
} from '../src';

const ENTRY = join(__dirname, 'fixtures', 'handler.ts');

/** A stack built by `build`, synthesized (bundling only when asked) with cdk-nag's AwsSolutions pack. */
function synth(
  build: (stack: Stack) => void,
  options: { bundle?: boolean } = {},
): { template: Template; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-test-'));
  const app = new App({ outdir, context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  build(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { template: Template.fromStack(stack), outdir };
}

/** The bundle of the one function in a synthesized template. */
function bundleOf(template: Template, outdir: string): string {
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
  return join(outdir, `asset.${String(fn?.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
}

/** An IAM-only API with the fixture schema; its logging finding is not what these tests are about. */
function testApi(stack: Stack): appsync.GraphqlApi {
  const api = new appsync.GraphqlApi(stack, 'Api', {
    name: 'test',
    definition: appsync.Definition.fromFile(join(__dirname, 'fixtures', 'schema.graphql')),
    authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM } },
  });
  Validations.of(api).acknowledge({ id: 'AwsSolutions-ASC3', reason: 'A test API.' });
  return api;
}

describe('handlerFunction', () => {
  it('runs on Node.js 24 and arm64 with 512 MB and 10 s, logging to a log group of its own kept a month', () => {
    const { template } = synth((stack) => {
      handlerFunction(stack, 'Handler', { entry: ENTRY, environment: { TABLE: 'events' } });
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 10,
      Handler: 'index.handler',
      Environment: { Variables: { TABLE: 'events' } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^HandlerLogs') } },
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 30 } });
  });

  it("passes the aggregate's own props on (a retry policy, more memory) but keeps the runtime", () => {
    const { template } = synth((stack) => {
      handlerFunction(stack, 'Handler', {
        entry: ENTRY,
        environment: {},
        memorySize: 1024,
        retryAttempts: 1,
        maxEventAge: Duration.hours(1),
      });
    });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, Runtime: 'nodejs24.x' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
    });
  });

  it('bundles a minified ES module that runs on Node.js and can call require (the banner)', () => {
    const { template, outdir } = synth(
      (stack) => {
        handlerFunction(stack, 'Handler', { entry: ENTRY, environment: {} });
      },
      { bundle: true },
    );
    const bundle = bundleOf(template, outdir);
    expect(existsSync(bundle)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith("import { createRequire } from 'node:module';")).toBe(true);
    expect(code.split('\n').length).toBeLessThanOrEqual(3);
    const answer = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundle)}); console.log(await m.handler());`,
      ],
      { encoding: 'utf8' },
    );
    expect(answer.trim()).toBe(`running on ${process.platform}`);
  });

  it('runs as a role of its own that may write its own log group and nothing else: no managed policy, no *', () => {
    const { template } = synth((stack) => {
      handlerFunction(stack, 'Handler', { entry: ENTRY, environment: {} });
    });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(
      Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument.Statement),
    ).toEqual([
      [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^HandlerLogs/), 'Arn'] },
        },
      ],
    ]);
  });

  it('lets functions share a role, each adding the grant on its own log group', () => {
    const { template } = synth((stack) => {
      const first = handlerFunction(stack, 'First', { entry: ENTRY, environment: {} });
      handlerFunction(stack, 'Second', { entry: ENTRY, environment: {}, role: first.role });
    });
    template.resourceCountIs('AWS::IAM::Role', 1);
    const resources = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Resource: { 'Fn::GetAtt': string[] } }[]).map(
        (s) => s.Resource['Fn::GetAtt'][0],
      ),
    );
    expect(resources).toEqual([expect.stringMatching(/^FirstLogs/), expect.stringMatching(/^SecondLogs/)]);
  });

  it('replaces the default credential chain by the environment: no credentials file is read', () => {
    const entry = join(__dirname, 'fixtures', 'credentials-handler.mjs');
    const { template, outdir } = synth((stack) => void handlerFunction(stack, 'Handler', { entry, environment: {} }), {
      bundle: true,
    });
    const bundle = bundleOf(template, outdir);
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    const credentialsFile = join(home, 'credentials');
    writeFileSync(credentialsFile, '[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n');
    const run = (env: Record<string, string>) =>
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(await m.handler());`,
        ],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentialsFile, ...env },
          stdio: 'pipe',
        },
      ).trim();
    expect(run({ AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'env-secret' })).toBe('AKIDENV');
    expect(() => run({})).toThrow(/environment variable credentials/);
  });

  it('names its entry point, relative to the cloud assembly, in the function resource metadata', () => {
    const { template, outdir } = synth((stack) => {
      handlerFunction(stack, 'Handler', { entry: ENTRY, environment: {} });
    });
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(join(outdir, String(fn?.Metadata?.[HANDLER_ENTRY_METADATA]))).toBe(ENTRY);
  });

  it("passes cdk-nag with no acknowledgement, where a plain function's managed role fails it", () => {
    expect(() =>
      synth((stack) => void handlerFunction(stack, 'Handler', { entry: ENTRY, environment: {} })),
    ).not.toThrow();
    expect(() =>
      synth((stack) => {
        new nodejs.NodejsFunction(stack, 'Plain', { entry: ENTRY, runtime: lambda.Runtime.NODEJS_24_X });
      }),
    ).toThrow(/AwsSolutions-IAM4/);
  });
});

describe('grantOwnEventSource', () => {
  it('grants the publisher PutEvents of its source and detail types only, and denies that source on the bus to every other principal', () => {
    const { template } = synth((stack) => {
      const bus = new events.EventBus(stack, 'Bus');
      const fn = handlerFunction(stack, 'Publisher', { entry: ENTRY, environment: {} });
      grantOwnEventSource({
        eventBus: bus,
        source: 'core.orders',
        detailTypes: ['Commit'],
        publisher: fn.role,
        statementId: 'OrdersSource',
      });
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
            Condition: { StringEquals: { 'events:source': ['core.orders'], 'events:detail-type': ['Commit'] } },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Sid: 'cdk-OrdersSource',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: {
          StringEquals: { 'events:source': 'core.orders' },
          ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^PublisherRole'), 'Arn'] } },
        },
      },
    });
  });
});

describe('protectEventStore', () => {
  it('denies every change to a stored item to everyone, and new items to all but the appender', () => {
    const { template } = synth((stack) => {
      const table = new dynamodb.Table(stack, 'Events', {
        partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING },
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      });
      protectEventStore(table, handlerFunction(stack, 'Appender', { entry: ENTRY, environment: {} }).role);
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ResourcePolicy: {
        PolicyDocument: {
          Statement: [
            {
              Sid: 'AppendOnly',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: [...EVENT_STORE_CHANGES],
              Resource: '*',
            },
            {
              Sid: 'OnlyTheAggregateAppends',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: [...EVENT_STORE_APPENDS],
              Resource: '*',
              Condition: {
                ArnNotEquals: {
                  'aws:PrincipalArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppenderRole'), 'Arn'] },
                },
              },
            },
          ],
        },
      },
    });
  });
});

describe('acknowledgeInvokeVersions', () => {
  it("acknowledges a Lambda data source's grant on its function's versions; without it the synth fails", () => {
    const withDataSource = (acknowledge: boolean) => (stack: Stack) => {
      const fn = handlerFunction(stack, 'Queries', { entry: ENTRY, environment: {} });
      const dataSource = testApi(stack).addLambdaDataSource('Queries', fn);
      if (acknowledge) acknowledgeInvokeVersions(dataSource, fn);
      dataSource.createResolver('Ping', { typeName: 'Query', fieldName: 'ping' });
    };
    expect(() => synth(withDataSource(true))).not.toThrow();
    expect(() => synth(withDataSource(false))).toThrow(/AwsSolutions-IAM5/);
  });
});

describe('passThroughTemplates', () => {
  it("resolves a NONE data source's mutation to its input, which AppSync sends to the subscriptions", () => {
    const { template } = synth((stack) => {
      testApi(stack)
        .addNoneDataSource('Notifications')
        .createResolver('Pinged', { typeName: 'Mutation', fieldName: 'pinged', ...passThroughTemplates() });
    });
    template.hasResourceProperties('AWS::AppSync::Resolver', {
      FieldName: 'pinged',
      RequestMappingTemplate: '{"version": "2018-05-29", "payload": $util.toJson($context.arguments.input)}',
      ResponseMappingTemplate: '$util.toJson($context.result)',
    });
  });
});
