import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createStackContext, functionAssetPath, loadCloudAssembly } from '../src/cloudformation';
import {
  createLocalFunction,
  type AsyncInvocationFailure,
  type AsyncInvocationSuccess,
  type LocalFunction,
  type LocalFunctionOptions,
} from '../src/lambda';

const FIXTURES = join(__dirname, 'fixtures/lambda');
const ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:test-fn';
const cleanups: Array<() => Promise<void> | void> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A function over the `handlers` fixture, closed after the tests; log lines are collected. */
function fn(handler: string, options: Partial<LocalFunctionOptions> = {}): { fn: LocalFunction; lines: string[] } {
  const lines: string[] = [];
  const created = createLocalFunction({
    name: 'test-fn',
    arn: ARN,
    assetDir: join(FIXTURES, 'handlers'),
    handler: `index.${handler}`,
    runtime: 'nodejs24.x',
    timeoutSeconds: 5,
    memoryMb: 256,
    log: (line) => lines.push(line),
    ...options,
  });
  cleanups.push(() => created.close());
  return { fn: created, lines };
}

/** Resolves with the first log line that matches, whenever it arrives. */
function lineMatching(lines: string[], pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const found = lines.find((line) => pattern.test(line));
    if (found !== undefined) return resolve(found);
    const push = lines.push.bind(lines);
    lines.push = (...items: string[]) => {
      const count = push(...items);
      const match = items.find((line) => pattern.test(line));
      if (match !== undefined) resolve(match);
      return count;
    };
  });
}

describe('invoking a CommonJS bundle', () => {
  const { fn: echo, lines } = fn('echo', {
    environment: { TABLE_NAME: 'events', AWS_ENDPOINT_URL_DYNAMODB: 'from-function-config' },
    runtimeEnvironment: {
      AWS_ACCESS_KEY_ID: 'role-key',
      AWS_SECRET_ACCESS_KEY: 'role-secret',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
    },
  });

  it('answers with the handler value and a Lambda-like context', async () => {
    const result = await echo.invoke({ hello: 'world' });
    if (!result.ok) throw new Error(JSON.stringify(result));
    const value = result.value as { event: unknown; context: Record<string, unknown> };
    expect(value.event).toEqual({ hello: 'world' });
    expect(value.context).toMatchObject({
      functionName: 'test-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: ARN,
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/test-fn',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(value.context['awsRequestId']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(value.context['logStreamName']).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(value.context['remainingTimeInMillis']).toBeGreaterThan(0);
    expect(value.context['remainingTimeInMillis']).toBeLessThanOrEqual(5000);
  });

  it("gives the worker its own environment: Lambda's variables, the function's, then the injected ones", async () => {
    process.env['LOCAL_RUNNER_SENTINEL'] = 'must not leak';
    cleanups.push(() => {
      delete process.env['LOCAL_RUNNER_SENTINEL'];
    });
    const result = await echo.invoke({});
    const env = (result.ok ? result.value : {}) as { env: Record<string, string> };
    expect(env.env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'test-fn',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: join(FIXTURES, 'handlers'),
      _HANDLER: 'index.echo',
      TZ: ':UTC',
      TABLE_NAME: 'events',
      AWS_ACCESS_KEY_ID: 'role-key',
      AWS_SECRET_ACCESS_KEY: 'role-secret',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
    });
    expect(env.env['_X_AMZN_TRACE_ID']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(env.env['LOCAL_RUNNER_SENTINEL']).toBeUndefined();
    expect(env.env['NODE_OPTIONS']).toBeUndefined();
    expect(process.env['AWS_ENDPOINT_URL_DYNAMODB']).not.toBe('http://127.0.0.1:1');
  });

  it('forwards console output in Lambda format, prefixed with the function name, and reports each invocation', async () => {
    await echo.invoke({ n: 1 });
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[test-fn\] \d{4}-\d{2}-\d{2}T[\d:.]+Z\t[0-9a-f-]{36}\tINFO\treceived \{"n":1\}$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\[test-fn\] .*\tWARN\ta warning$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[test-fn\] REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB$/,
      ),
    );
    expect(lines.filter((line) => line.startsWith('cold start test-fn init '))).toHaveLength(1);
    expect(lines.find((line) => line.startsWith('cold start'))).toMatch(/^cold start test-fn init \d+ ms$/);
  });

  it('reuses the warm environment and counts', async () => {
    const before = echo.metrics;
    const result = await echo.invoke({});
    expect(result.ok && (result.value as { invocations: number }).invocations).toBe(before.invocations + 1);
    expect(echo.metrics).toMatchObject({ invocations: before.invocations + 1, coldStarts: 1, errors: 0 });
    expect(echo.metrics.initMs).toHaveLength(1);
    expect(echo.metrics.billedMs).toBeGreaterThanOrEqual(before.billedMs + 1);
  });

  it('forwards what the function writes straight to stdout', async () => {
    const { fn: raw, lines: rawLines } = fn('rawStdout');
    expect(await raw.invoke({})).toEqual({ ok: true, value: 'ok' });
    expect(await lineMatching(rawLines, /written straight to stdout/)).toBe('[test-fn] written straight to stdout');
  });
});

describe('invoking an ES module bundle', () => {
  it('imports index.mjs and finds a nested handler', async () => {
    const { fn: esm } = fn('handlers.main', { assetDir: join(FIXTURES, 'esm') });
    expect(await esm.invoke({ a: 1 })).toEqual({
      ok: true,
      value: { module: 'esm', event: { a: 1 }, functionName: 'test-fn', region: 'eu-west-1' },
    });
  });
});

describe('function errors', () => {
  it('answers a thrown error with its name, message and stack, and keeps the environment', async () => {
    const { fn: failing } = fn('fails');
    const result = await failing.invoke({ field: 'email' });
    expect(result).toMatchObject({ ok: false, errorType: 'ValidationError', errorMessage: 'bad input: email' });
    expect(!result.ok && result.trace?.[0]).toBe('ValidationError: bad input: email');
    await failing.invoke({ field: 'name' });
    expect(failing.metrics).toMatchObject({ invocations: 2, errors: 2, coldStarts: 1 });
  });

  it('answers a thrown string with its type', async () => {
    expect(await fn('throwsString').fn.invoke({})).toEqual({
      ok: false,
      errorType: 'string',
      errorMessage: 'plain string',
      trace: [],
    });
  });

  it('answers a value JSON cannot hold with Runtime.MalformedHandlerResponse', async () => {
    expect(await fn('unserializable').fn.invoke({})).toMatchObject({
      ok: false,
      errorType: 'Runtime.MalformedHandlerResponse',
    });
  });

  it('answers an unhandled rejection with Runtime.UnhandledPromiseRejection and starts a new environment next time', async () => {
    const { fn: rejecting } = fn('rejectsInBackground');
    expect(await rejecting.invoke({})).toMatchObject({
      ok: false,
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody waits for me',
    });
    await rejecting.invoke({});
    expect(rejecting.metrics.coldStarts).toBe(2);
  });

  it('answers Runtime.OutOfMemory when the heap outgrows memoryMb', async () => {
    expect(await fn('hog', { memoryMb: 128 }).fn.invoke({})).toMatchObject({
      ok: false,
      errorType: 'Runtime.OutOfMemory',
    });
  });
});

describe('init errors', () => {
  it('reports a missing export, a missing module and a value that is not a function', async () => {
    expect(await fn('nope').fn.invoke({})).toEqual({
      ok: false,
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.nope is undefined or not exported',
      trace: expect.any(Array),
    });
    expect(await fn('notAFunction').fn.invoke({})).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.notAFunction is not a function',
    });
    expect(await fn('handler', { handler: 'lib/main.handler' }).fn.invoke({})).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Error: Cannot find module 'lib/main'",
    });
  });

  it('reports a dependency the bundle cannot find as Runtime.ImportModuleError', async () => {
    const result = await fn('handler', { assetDir: join(FIXTURES, 'missing-dependency') }).fn.invoke({});
    expect(result).toMatchObject({ ok: false, errorType: 'Runtime.ImportModuleError' });
    expect(!result.ok && result.errorMessage).toContain('a-package-that-is-not-installed');
  });

  it('reports a syntax error as Runtime.UserCodeSyntaxError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-syntax-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => {\n  return {;\n};\n');
    expect(await fn('handler', { assetDir: dir }).fn.invoke({})).toMatchObject({
      ok: false,
      errorType: 'Runtime.UserCodeSyntaxError',
    });
  });

  it('answers an error thrown at load time and tries to load again at the next invocation', async () => {
    const { fn: broken, lines } = fn('handler', { assetDir: join(FIXTURES, 'init-error') });
    expect(await broken.invoke({})).toMatchObject({
      ok: false,
      errorType: 'Error',
      errorMessage: 'REQUIRED_SETTING is not set',
    });
    expect(await broken.invoke({})).toMatchObject({ ok: false, errorType: 'Error' });
    expect(broken.metrics).toMatchObject({ invocations: 2, errors: 2, coldStarts: 0 });
    expect(lines).toContainEqual(expect.stringContaining('Init Error'));
    const { fn: fixed } = fn('handler', {
      assetDir: join(FIXTURES, 'init-error'),
      environment: { REQUIRED_SETTING: 'set' },
    });
    expect(await fixed.invoke({})).toEqual({ ok: true, value: 'set' });
  });

  it('refuses callback handlers from nodejs24.x on, and runs them on older runtimes', async () => {
    expect(await fn('callbackStyle').fn.invoke({ value: 1 })).toMatchObject({
      ok: false,
      errorType: 'Runtime.CallbackHandlerDeprecated',
    });
    expect(await fn('callbackStyle', { runtime: 'nodejs22.x' }).fn.invoke({ value: 1 })).toEqual({
      ok: true,
      value: { viaCallback: 1 },
    });
  });
});

describe('timeouts', () => {
  it('stops the environment after timeoutSeconds, and the next invocation starts cold', async () => {
    const { fn: slow, lines } = fn('hangs', { timeoutSeconds: 1 });
    expect(await slow.invoke({ hang: true })).toEqual({
      ok: false,
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
    });
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[test-fn\] \S+ [0-9a-f-]{36} Task timed out after 1\.00 seconds$/),
    );
    expect(await slow.invoke({ hang: false })).toEqual({ ok: true, value: 'done' });
    expect(slow.metrics).toMatchObject({ invocations: 2, errors: 1, coldStarts: 2 });
  });
});

describe('init time limit', () => {
  it('times the invocation out when loading the handler takes longer than initTimeoutSeconds', async () => {
    const { fn: slowInit, lines } = fn('handler', { assetDir: join(FIXTURES, 'slow-init'), initTimeoutSeconds: 1 });
    expect(await slowInit.invoke({})).toEqual({
      ok: false,
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 5.00 seconds',
    });
    expect(lines).toContain('[test-fn] INIT_REPORT Init Duration: 1000.00 ms\tPhase: init\tStatus: timeout');
    expect(slowInit.metrics).toMatchObject({ invocations: 1, errors: 1, coldStarts: 0 });
  });
});

describe('concurrency', () => {
  it('runs at most maxConcurrency environments and queues the rest', async () => {
    // The gate holds the first two requests until both have arrived, so they must run at the same time.
    // The third invocation, issued together with them, can only run once one of them has finished: with
    // no limit it would have started a third environment.
    let arrived = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const held: ServerResponse[] = [];
    const server = createServer((_request, response) => {
      arrived += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      response.on('finish', () => {
        inFlight -= 1;
      });
      if (arrived > 2) return void response.end('released');
      held.push(response);
      if (held.length === 2) for (const r of held.splice(0)) r.end('released');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { fn: gated } = fn('gate', {
      maxConcurrency: 2,
      environment: { GATE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    });
    const results = await Promise.all([0, 1, 2].map((id) => gated.invoke({ id })));
    expect(results).toEqual([0, 1, 2].map(() => ({ ok: true, value: 'released' })));
    expect(maxInFlight).toBe(2);
    expect(gated.metrics).toMatchObject({ invocations: 3, coldStarts: 2 });
  });
});

describe('asynchronous invocations', () => {
  it('retries a failing event twice, then reports it as failed', async () => {
    const failures: AsyncInvocationFailure[] = [];
    const { fn: failing } = fn('alwaysFails', {
      asyncRetryDelaysMs: [0, 0],
      onAsyncFailure: (failure) => void failures.push(failure),
    });
    await failing.invokeAsync({ id: 'e1' });
    await failing.drain();
    expect(failures).toEqual([
      {
        functionName: 'test-fn',
        invocationId: expect.any(String),
        event: { id: 'e1' },
        attempts: 3,
        error: { errorType: 'Error', errorMessage: 'always', trace: expect.any(Array) },
      },
    ]);
    expect(failing.metrics).toMatchObject({ invocations: 3, errors: 3 });
  });

  it('logs a dropped event when no failure callback is given', async () => {
    const { fn: failing, lines } = fn('alwaysFails', { asyncRetryDelaysMs: [] });
    await failing.invokeAsync({});
    await failing.drain();
    expect(lines).toContain('async invocation of test-fn dropped after 1 attempts: Error: always');
  });

  it('succeeds on a retry, and invoke({ async: true }) answers at once', async () => {
    const successes: AsyncInvocationSuccess[] = [];
    const { fn: flaky } = fn('flaky', {
      maxConcurrency: 1,
      asyncRetryDelaysMs: [0],
      onAsyncSuccess: (success) => successes.push(success),
    });
    expect(await flaky.invoke({ id: 'e2' }, { async: true })).toEqual({ ok: true, value: null });
    await flaky.drain();
    expect(successes).toEqual([
      {
        functionName: 'test-fn',
        invocationId: expect.any(String),
        event: { id: 'e2' },
        attempts: 2,
        value: { attempt: 2 },
      },
    ]);
  });
});

describe('configuration and closing', () => {
  it('refuses bad options with typed errors', () => {
    const base: LocalFunctionOptions = {
      name: 'x',
      arn: ARN,
      assetDir: join(FIXTURES, 'handlers'),
      handler: 'index.echo',
      runtime: 'nodejs24.x',
    };
    expect(() => createLocalFunction({ ...base, runtime: 'python3.13' })).toThrow(
      expect.objectContaining({ name: 'LambdaRunnerError', code: 'UNSUPPORTED_RUNTIME' }),
    );
    expect(() => createLocalFunction({ ...base, environment: { AWS_REGION: 'x' } })).toThrow(
      expect.objectContaining({
        code: 'RESERVED_ENVIRONMENT_VARIABLE',
        message: expect.stringContaining('AWS_REGION'),
      }),
    );
    expect(() => createLocalFunction({ ...base, assetDir: join(FIXTURES, 'nope') })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => createLocalFunction({ ...base, handler: 'index' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => createLocalFunction({ ...base, timeoutSeconds: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => createLocalFunction({ ...base, initTimeoutSeconds: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => createLocalFunction({ ...base, asyncRetryDelaysMs: [1, 2, 3] })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it('refuses an event that is not JSON', async () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    await expect(fn('echo').fn.invoke(circular)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
  });

  it('ends running invocations and refuses new ones once closed', async () => {
    const { fn: slow, lines } = fn('hangs');
    const running = slow.invoke({ hang: true });
    // The event is sent to the worker right after the cold start is logged.
    await lineMatching(lines, /^cold start/);
    await slow.close();
    expect(await running).toMatchObject({
      ok: false,
      errorType: 'Runtime.ExitError',
      errorMessage: 'the local function was closed during the invocation',
    });
    await expect(slow.invoke({})).rejects.toMatchObject({ code: 'FUNCTION_CLOSED' });
    await expect(slow.invokeAsync({})).rejects.toMatchObject({ code: 'FUNCTION_CLOSED' });
  });
});

describe('a function from a synthesized cloud assembly', () => {
  it('runs the NodejsFunction asset with its resolved environment', async () => {
    const core = loadCloudAssembly(join(__dirname, 'fixtures/cloud-assembly')).stacks.find(
      (s) => s.stackName === 'Core',
    )!;
    const stack = createStackContext({
      template: core.template,
      stackName: 'Core',
      region: 'eu-west-1',
      accountId: '000000000000',
    });
    const props = stack.resolveProperties('Handler886CB40B');
    const variables = (props['Environment'] as { Variables: Record<string, string> }).Variables;
    const local = createLocalFunction({
      name: String(stack.ref('Handler886CB40B')),
      arn: String(stack.getAtt('Handler886CB40B', 'Arn')),
      assetDir: functionAssetPath(core.assemblyDir, core.template.Resources!['Handler886CB40B']!, 'Handler886CB40B'),
      handler: String(props['Handler']),
      runtime: String(props['Runtime']),
      environment: variables,
      log: () => undefined,
    });
    cleanups.push(() => local.close());
    expect(await local.invoke({ source: 'test' })).toEqual({
      ok: true,
      value: {
        received: { source: 'test' },
        functionName: stack.ref('Handler886CB40B'),
        tableName: stack.ref('EventsD32975C2'),
      },
    });
  });
});
