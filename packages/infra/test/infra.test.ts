import { describe, expect, it } from '@jest/globals';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acknowledgeInvokeVersions, HANDLER_ENTRY_METADATA, handlerFunction, passThroughTemplates } from '../src';

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

  it("acknowledges the basic execution role's cdk-nag finding, which a plain function does not", () => {
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
