/**
 * How every aggregate's Lambda function is built: the runtime, the architecture, the bundling, the
 * log group, and a role that may write that log group and nothing else until the aggregate grants
 * it more. A bundling fix is made here once.
 */
import { Duration, RemovalPolicy, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join, relative } from 'node:path';

/**
 * What a handler function needs from its aggregate. Any other `NodejsFunction` prop (a retry policy,
 * a dead-letter queue, more memory) is passed on; the runtime, architecture, bundling and log group
 * are the project's and cannot be replaced.
 */
export interface HandlerFunctionProps extends Omit<
  nodejs.NodejsFunctionProps,
  'entry' | 'environment' | 'runtime' | 'architecture' | 'bundling' | 'logGroup'
> {
  /** The TypeScript file of the Lambda entry point, exporting `handler`. */
  readonly entry: string;
  /** Every variable the handler reads, and nothing else. */
  readonly environment: Record<string, string>;
}

/**
 * The esbuild settings of every handler bundle: an ES module for Node.js 24, minified, with the AWS
 * SDK inside and no source map.
 *
 * An ES module rather than CommonJS, measured: the same code as `index.js` (required) imports 7 to 9 ms
 * sooner but its first invocation takes 5 to 8 ms longer, so a whole cold start is no shorter, and the
 * ES module does its work in Lambda's init phase (2026-12-02: a `format: CJS` assembly against this one
 * in the same rounds, `BENCH_BASELINE_ASSEMBLY=<it> pnpm nx run core:bench`).
 *
 * `--conditions source,module`: workspace packages are bundled from their TypeScript (the `source`
 * export condition), so a fresh clone needs no build first. `module` is listed because custom
 * conditions replace esbuild's default set, which includes it; without it the `node` condition of
 * the SDK's export maps (`@smithy/core/*`, `@aws-sdk/core/*`) wins and esbuild bundles their
 * CommonJS builds, with `bowser`: 140 KB more per handler.
 *
 * `--alias:@aws-sdk/credential-provider-node=…`: the SDK clients' default credential chain is replaced
 * by the environment's provider (bundling/default-credentials.mjs, a plain ES module outside src/ so that
 * it is the same file whether this runs from src/ or lib/), which is all of the chain a Lambda
 * function uses; the rest of it (files, SSO, STS, instance metadata) is 130 KB that no handler runs.
 *
 * The banner gives the ES module a `require`, for the CommonJS dependencies that call it.
 */
export const HANDLER_BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: false,
  target: 'node24',
  bundleAwsSDK: true,
  esbuildArgs: {
    '--conditions': 'source,module',
    '--alias': `@aws-sdk/credential-provider-node=${join(__dirname, '..', 'bundling', 'default-credentials.mjs')}`,
  },
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};

/** The template metadata key that names a function's entry point, relative to the cloud assembly. */
export const HANDLER_ENTRY_METADATA = 'core:entry';

/**
 * One Lambda function of an aggregate: Node.js 24 on arm64, 512 MB and 10 s unless `props` say
 * otherwise, bundled with {@link HANDLER_BUNDLING}, logging to a log group `<id>Logs` of its own
 * (kept a month, deleted with the stack). Its role (`<id>Role`, or `props.role` when functions share
 * one) may create log streams in that log group and write to them: no managed policy, no `*`
 * resource. Everything else the function touches, the aggregate grants by name.
 * The function's resource names its entry point in the metadata {@link HANDLER_ENTRY_METADATA}, so
 * that a tool reading the cloud assembly (the handlers benchmark) can rebuild the bundle with a source map.
 *
 * @example
 * this.commandHandler = handlerFunction(this, 'CommandHandler', {
 *   entry: join(__dirname, '..', '..', 'src', 'handlers', 'command.ts'),
 *   environment: { EVENTS_TABLE_NAME: this.table.tableName },
 * });
 */
/** A handler function; it always has a role. */
export type HandlerFunction = nodejs.NodejsFunction & { readonly role: iam.IRole };

export function handlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): HandlerFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role =
    props.role ?? new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new nodejs.NodejsFunction(scope, id, {
    handler: 'handler',
    memorySize: 512,
    timeout: Duration.seconds(10),
    ...props,
    role,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: HANDLER_BUNDLING,
    logGroup,
  });
  const outdir = Stage.of(scope)?.outdir;
  if (outdir !== undefined)
    (fn.node.defaultChild as lambda.CfnFunction).addMetadata(HANDLER_ENTRY_METADATA, relative(outdir, props.entry));
  return Object.assign(fn, { role });
}
