// Proves that the AWS SDK v3 inside a worker reads AWS_ENDPOINT_URL_DYNAMODB (and credentials and region)
// from the worker's own `env`, not from this process: two functions, pointed at two local DynamoDBs,
// each see their own tables. The fixtures require @aws-sdk/client-dynamodb without bundling it, as a
// NodejsFunction bundle does; it is found through `runtimeNodePath` (NODE_PATH for require, a resolve
// hook for import). The bundles are copied out of the repository first, so that Node cannot find the
// SDK by walking up to this package's node_modules.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalFunction, type LocalFunction } from '../src/lambda';
import { ensureTables, startDynamoDb, type LocalDynamoDb } from '../src/dynamodb';

const OUTSIDE = mkdtempSync(join(tmpdir(), 'lambda-sdk-'));
cpSync(join(__dirname, 'fixtures/lambda/sdk-cjs'), join(OUTSIDE, 'sdk-cjs'), { recursive: true });
cpSync(join(__dirname, 'fixtures/lambda/sdk-esm'), join(OUTSIDE, 'sdk-esm'), { recursive: true });
const RUNTIME_NODE_MODULES = join(__dirname, '..', 'node_modules');
const cleanups: Array<() => Promise<void>> = [];
let first: LocalDynamoDb;
let second: LocalDynamoDb;

function table(name: string) {
  return {
    TableName: name,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
    BillingMode: 'PAY_PER_REQUEST' as const,
  };
}

function sdkFunction(
  bundle: 'sdk-cjs' | 'sdk-esm',
  db: LocalDynamoDb,
  runtimeNodePath = [RUNTIME_NODE_MODULES],
): LocalFunction {
  const fn = createLocalFunction({
    name: `${bundle}-fn`,
    arn: `arn:aws:lambda:eu-west-1:000000000000:function:${bundle}-fn`,
    assetDir: join(OUTSIDE, bundle),
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    timeoutSeconds: 30,
    memoryMb: 128,
    runtimeNodePath,
    runtimeEnvironment: {
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    },
    log: () => undefined,
  });
  cleanups.push(() => fn.close());
  return fn;
}

beforeAll(async () => {
  first = await startDynamoDb();
  second = await startDynamoDb();
  cleanups.push(
    async () => rmSync(OUTSIDE, { recursive: true, force: true }),
    () => first.close(),
    () => second.close(),
  );
  await ensureTables(first.endpoint, [table('first-table')]);
  await ensureTables(second.endpoint, [table('second-table')]);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('the AWS SDK inside an execution environment', () => {
  it('is not configured through this process', () => {
    expect(process.env['AWS_ENDPOINT_URL_DYNAMODB']).toBeUndefined();
    expect(process.env['AWS_ENDPOINT_URL']).toBeUndefined();
  });

  it('reaches the endpoint named in the worker env, from a CommonJS bundle', async () => {
    const fn = sdkFunction('sdk-cjs', first);
    expect(await fn.invoke({})).toEqual({
      ok: true,
      value: { tableNames: ['first-table'], endpointVariable: first.endpoint },
    });
  });

  it('reaches the endpoint named in the worker env, from an ES module bundle', async () => {
    const fn = sdkFunction('sdk-esm', second);
    expect(await fn.invoke({})).toEqual({
      ok: true,
      value: { tableNames: ['second-table'], endpointVariable: second.endpoint },
    });
  });

  it('is not found without runtimeNodePath, as the bundle leaves it out', async () => {
    expect(await sdkFunction('sdk-cjs', first, []).invoke({})).toMatchObject({
      ok: false,
      errorType: 'Runtime.ImportModuleError',
    });
    expect(await sdkFunction('sdk-esm', first, []).invoke({})).toMatchObject({
      ok: false,
      errorType: 'Runtime.ImportModuleError',
    });
  });

  it('keeps two functions with different endpoints apart while they run side by side', async () => {
    const toFirst = sdkFunction('sdk-cjs', first);
    const toSecond = sdkFunction('sdk-cjs', second);
    const [a, b] = await Promise.all([toFirst.invoke({}), toSecond.invoke({})]);
    expect(a).toMatchObject({ ok: true, value: { tableNames: ['first-table'] } });
    expect(b).toMatchObject({ ok: true, value: { tableNames: ['second-table'] } });
  });
});
