/**
 * A Lambda function run locally: a pool of execution environments (worker threads), Lambda's
 * timeout, cold-start and concurrency behaviour, and its retries for asynchronous invocations.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { checkFunctionEnvironment, executionEnvironmentVariables } from './environment';
import { LambdaRunnerError } from '../errors';
import { ExecutionEnvironment, type RunOutcome } from './execution-environment';
import type { FunctionError } from './protocol';

/** Options for {@link createLocalFunction}. */
export interface LocalFunctionOptions {
  /** The function name (`AWS_LAMBDA_FUNCTION_NAME`, `context.functionName`). */
  readonly name: string;
  /** The function ARN (`context.invokedFunctionArn`); its region becomes `AWS_REGION` unless `region` is given. */
  readonly arn: string;
  /** The folder with the bundle (`LAMBDA_TASK_ROOT`), e.g. `cdk.out/asset.<hash>`. */
  readonly assetDir: string;
  /** `<module path>.<export>`, e.g. `index.handler`; the module is `<module>.js`, `.mjs` or `.cjs`. */
  readonly handler: string;
  /** A Node.js Lambda runtime, e.g. `nodejs24.x`. From `nodejs24.x` on, callback handlers are refused, as on Lambda. */
  readonly runtime: string;
  /** Invocation timeout. @default 3 (Lambda's default) */
  readonly timeoutSeconds?: number;
  /** `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `context.memoryLimitInMB`, and the worker's heap limit. @default 128 */
  readonly memoryMb?: number;
  /** The function's configured variables, already resolved to strings. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Variables the platform injects and that win over everything else: credentials for the function's role
   * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) and local endpoints (`AWS_ENDPOINT_URL_DYNAMODB`, …).
   */
  readonly runtimeEnvironment?: Readonly<Record<string, string>>;
  /** `AWS_REGION`. @default the region in `arn` */
  readonly region?: string;
  /** Most execution environments alive at once; more invocations wait. @default 2 */
  readonly maxConcurrency?: number;
  /**
   * Folders searched for packages the bundle does not contain, as the Lambda runtime provides `@aws-sdk/*`
   * to bundles that mark it external (NodejsFunction does). For `require` they become `NODE_PATH`; for
   * `import` a resolve hook is registered in the worker. Each folder is a `node_modules` folder.
   * @default none
   */
  readonly runtimeNodePath?: readonly string[];
  /** Delays before each retry of a failed asynchronous invocation; Lambda retries at most twice. @default [200, 400] */
  readonly asyncRetryDelaysMs?: readonly number[];
  /**
   * An asynchronous invocation older than this when an attempt would start is not run: it fails with
   * `EventAgeExceeded` (`MaximumEventAgeInSeconds` of `AWS::Lambda::EventInvokeConfig`). @default 6 hours
   */
  readonly maximumEventAgeMs?: number;
  /**
   * Called when an asynchronous invocation failed every attempt (or expired); the invocation is
   * finished when a promise it returns settles (a dead-letter queue has it). @default a log line
   */
  readonly onAsyncFailure?: (failure: AsyncInvocationFailure) => void | Promise<void>;
  /** Keeps asynchronous invocations until they finished, so that they can be resumed after a restart. */
  readonly asyncJournal?: AsyncInvocationJournal;
  /** Called when an asynchronous invocation succeeded. @default nothing */
  readonly onAsyncSuccess?: (success: AsyncInvocationSuccess) => void;
  /** Receives the function's output (prefixed `[<name>] `) and the runner's lines. @default standard output */
  readonly log?: (line: string) => void;
  /** Limit each worker's heap to `memoryMb`, so that a function that needs more fails as on Lambda. @default true */
  readonly enforceMemoryLimit?: boolean;
  /** How long loading the handler may take before the invocation times out (Lambda's init phase limit). @default 10 */
  readonly initTimeoutSeconds?: number;
}

/** The answer to an invocation: the handler's JSON value, or the function error as Lambda reports it. */
export type InvokeResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly errorType: string;
      readonly errorMessage: string;
      readonly trace?: readonly string[];
    };

/** Where asynchronous invocations are kept until they finished (see `LocalFunctionOptions.asyncJournal`). */
export interface AsyncInvocationJournal {
  /** An invocation was queued (not called again for a resumed one). */
  queued(invocation: QueuedInvocation): void;
  /** It succeeded, or failed for good and `onAsyncFailure` finished with it. */
  finished(invocationId: string): void;
}

/** An asynchronous invocation as it waits in the function's queue. */
export interface QueuedInvocation {
  readonly invocationId: string;
  readonly event: unknown;
  /** Epoch ms it was first queued; its age counts from here. */
  readonly queuedAt: number;
}

/** An asynchronous invocation that failed every attempt. */
export interface AsyncInvocationFailure {
  readonly functionName: string;
  readonly invocationId: string;
  readonly event: unknown;
  readonly attempts: number;
  readonly error: FunctionError;
}

/** An asynchronous invocation that succeeded. */
export interface AsyncInvocationSuccess {
  readonly functionName: string;
  readonly invocationId: string;
  readonly event: unknown;
  readonly attempts: number;
  readonly value: unknown;
}

/** Counters since the function was created. */
export interface LocalFunctionMetrics {
  /** Invocation attempts, asynchronous retries included. */
  readonly invocations: number;
  /** Attempts that ended in a function error, init error or timeout. */
  readonly errors: number;
  readonly coldStarts: number;
  /** Billed milliseconds: each invocation's duration rounded up, plus the init duration of cold starts. */
  readonly billedMs: number;
  /** Init duration of each cold start (worker start and module load), in ms. */
  readonly initMs: readonly number[];
}

/** A running local Lambda function. */
export interface LocalFunction {
  readonly name: string;
  readonly arn: string;
  /**
   * Invokes the function and waits for its answer (`RequestResponse`). With `{ async: true }` it queues
   * the event like {@link LocalFunction.invokeAsync} and answers `{ ok: true, value: null }` at once
   * (Lambda's 202).
   * @throws LambdaRunnerError `INVALID_EVENT`, `FUNCTION_CLOSED`
   */
  invoke(event: unknown, options?: { readonly async?: boolean }): Promise<InvokeResult>;
  /**
   * Queues an asynchronous invocation (`Event`): resolves once queued (and journalled). A function error
   * is retried after each of `asyncRetryDelaysMs`, then the event is handed to `onAsyncFailure` (or a
   * log line). `resume` runs an invocation read back from the journal, under its id and age.
   * @throws LambdaRunnerError `INVALID_EVENT`, `FUNCTION_CLOSED`
   */
  invokeAsync(event: unknown, resume?: Omit<QueuedInvocation, 'event'>): Promise<void>;
  /**
   * Ends the invocations running now whose event (as JSON) `matches`, as a crash of their execution
   * environment would (`Runtime.ExitError`). Returns how many were ended. For fault injection.
   */
  terminateRunning(matches: (eventJson: string) => boolean): Promise<number>;
  readonly metrics: LocalFunctionMetrics;
  /** Resolves when no invocation is running or queued, asynchronous retries included. */
  drain(): Promise<void>;
  /** Stops every execution environment; running invocations end with `Runtime.ExitError`. */
  close(): Promise<void>;
}

interface Lease {
  readonly env: ExecutionEnvironment;
  readonly cold: boolean;
}

const TIMED_OUT: unique symbol = Symbol('timed out');
const SIX_HOURS_MS = 6 * 3_600_000;

/** The error of an asynchronous invocation that waited longer than its maximum event age. */
export const EVENT_AGE_EXCEEDED = 'EventAgeExceeded';

function invalid(message: string): never {
  throw new LambdaRunnerError('INVALID_CONFIG', message);
}

function positive(value: number, name: string, max = Number.POSITIVE_INFINITY): number {
  if (!Number.isFinite(value) || value <= 0 || value > max)
    invalid(
      `${name} must be a number above 0${max < Number.POSITIVE_INFINITY ? ` and at most ${max}` : ''}, got ${value}`,
    );
  return value;
}

function serializeEvent(event: unknown): string {
  try {
    return JSON.stringify(event === undefined ? null : event);
  } catch (cause) {
    throw new LambdaRunnerError('INVALID_EVENT', `the event cannot be serialized as JSON: ${String(cause)}`, { cause });
  }
}

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

class LocalFunctionRunner implements LocalFunction {
  readonly name: string;
  readonly arn: string;
  private readonly options: LocalFunctionOptions;
  private readonly region: string;
  private readonly runtimeMajor: number;
  private readonly timeoutSeconds: number;
  private readonly memoryMb: number;
  private readonly maxConcurrency: number;
  private readonly initTimeoutMs: number;
  private readonly asyncRetryDelaysMs: readonly number[];
  private readonly maximumEventAgeMs: number;
  private readonly logLine: (line: string) => void;
  /** The event of each invocation running now, by its execution environment. */
  private readonly running = new Map<ExecutionEnvironment, string>();

  private readonly idle: ExecutionEnvironment[] = [];
  private readonly environments = new Set<ExecutionEnvironment>();
  private readonly waiting: Array<{
    readonly resolve: (lease: Lease) => void;
    readonly reject: (error: Error) => void;
  }> = [];
  private readonly sleeping = new Set<{
    readonly timer: NodeJS.Timeout;
    readonly wake: (completed: boolean) => void;
  }>();
  private readonly drainWaiters: Array<() => void> = [];
  private inFlight = 0;
  private nextInvocationId = 0;
  private closed = false;
  private counters = { invocations: 0, errors: 0, coldStarts: 0, billedMs: 0 };
  private readonly initDurations: number[] = [];

  constructor(options: LocalFunctionOptions) {
    if (!options.name) invalid('name is required');
    if (!options.arn?.startsWith('arn:')) invalid(`arn must be a Lambda function ARN, got ${String(options.arn)}`);
    if (!options.assetDir || !existsSync(options.assetDir) || !statSync(options.assetDir).isDirectory())
      invalid(`assetDir ${String(options.assetDir)} is not a folder`);
    if (!/^[^.]+\.[^.].*$/.test(options.handler.split('/').pop() ?? ''))
      invalid(`handler must look like index.handler, got ${options.handler}`);
    const runtime = /^nodejs(\d+)\.x$/.exec(options.runtime);
    if (!runtime)
      throw new LambdaRunnerError(
        'UNSUPPORTED_RUNTIME',
        `runtime ${options.runtime} is not a Node.js runtime (nodejs<N>.x)`,
      );
    checkFunctionEnvironment(options.name, options.environment ?? {});
    const delays = options.asyncRetryDelaysMs ?? [200, 400];
    if (delays.length > 2 || delays.some((d) => !Number.isFinite(d) || d < 0))
      invalid('asyncRetryDelaysMs takes at most two delays of 0 ms or more (Lambda retries at most twice)');
    const concurrency = options.maxConcurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      invalid(`maxConcurrency must be a whole number of at least 1, got ${concurrency}`);

    this.options = options;
    this.name = options.name;
    this.arn = options.arn;
    this.region = options.region ?? options.arn.split(':')[3] ?? 'us-east-1';
    this.runtimeMajor = Number(runtime[1]);
    this.timeoutSeconds = positive(options.timeoutSeconds ?? 3, 'timeoutSeconds', 900);
    this.memoryMb = positive(options.memoryMb ?? 128, 'memoryMb', 10240);
    this.initTimeoutMs = positive(options.initTimeoutSeconds ?? 10, 'initTimeoutSeconds') * 1000;
    this.maxConcurrency = concurrency;
    this.asyncRetryDelaysMs = delays;
    this.maximumEventAgeMs = positive(options.maximumEventAgeMs ?? SIX_HOURS_MS, 'maximumEventAgeMs');
    this.logLine = options.log ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get metrics(): LocalFunctionMetrics {
    return { ...this.counters, initMs: [...this.initDurations] };
  }

  async invoke(event: unknown, options: { readonly async?: boolean } = {}): Promise<InvokeResult> {
    this.assertOpen();
    if (options.async) {
      await this.invokeAsync(event);
      return { ok: true, value: null };
    }
    return this.track(this.execute(serializeEvent(event)));
  }

  async invokeAsync(event: unknown, resume?: Omit<QueuedInvocation, 'event'>): Promise<void> {
    this.assertOpen();
    const eventJson = serializeEvent(event);
    const invocation = resume ?? { invocationId: randomUUID(), queuedAt: Date.now() };
    if (resume === undefined) this.options.asyncJournal?.queued({ ...invocation, event });
    void this.track(this.runAsync(eventJson, invocation));
  }

  async terminateRunning(matches: (eventJson: string) => boolean): Promise<number> {
    const ended = [...this.running].filter(([, eventJson]) => matches(eventJson)).map(([env]) => env);
    await Promise.all(ended.map((env) => env.terminate('the execution environment crashed (fault injected)')));
    return ended.length;
  }

  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.closedError());
    for (const sleep of [...this.sleeping]) {
      clearTimeout(sleep.timer);
      sleep.wake(false);
    }
    await Promise.all(
      [...this.environments].map((env) => env.terminate('the local function was closed during the invocation')),
    );
    await this.drain();
  }

  // ---- one attempt ------------------------------------------------------------------------------

  /** One attempt; with `notAfter`, an attempt that would start later is not run (`EventAgeExceeded`). */
  private async execute(eventJson: string, notAfter = Number.POSITIVE_INFINITY): Promise<InvokeResult> {
    const requestId = randomUUID();
    const { env, cold } = await this.acquire();
    if (Date.now() > notAfter) {
      if (cold) await env.terminate('not used');
      else this.release(env);
      return {
        ok: false,
        errorType: EVENT_AGE_EXCEEDED,
        errorMessage: 'the event is older than MaximumEventAgeInSeconds',
      };
    }
    this.counters.invocations += 1;
    let initMs = 0;
    if (cold) {
      const init = await this.within(env.ready, this.initTimeoutMs);
      if (init === TIMED_OUT || !init.ok) {
        await env.terminate('init failed');
        this.counters.errors += 1;
        return init === TIMED_OUT ? this.initTimedOut() : this.initFailed(requestId, init.error);
      }
      initMs = init.initMs;
      this.counters.coldStarts += 1;
      this.initDurations.push(initMs);
      this.logLine(`cold start ${this.name} init ${Math.round(initMs)} ms`);
    }
    const started = performance.now();
    this.running.set(env, eventJson);
    const outcome = await this.within(
      env.run({
        invocationId: ++this.nextInvocationId,
        requestId,
        eventJson,
        deadlineMs: Date.now() + this.timeoutSeconds * 1000,
      }),
      this.timeoutSeconds * 1000,
    ).finally(() => this.running.delete(env));
    const durationMs = performance.now() - started;
    let result: InvokeResult;
    if (outcome === TIMED_OUT) {
      const message = `Task timed out after ${this.timeoutSeconds.toFixed(2)} seconds`;
      this.functionLine(`${new Date().toISOString()} ${requestId} ${message}`);
      await env.terminate(message);
      result = { ok: false, errorType: 'Sandbox.Timedout', errorMessage: message };
    } else {
      result = this.toResult(outcome);
      this.release(env);
    }
    if (!result.ok) this.counters.errors += 1;
    const billed = Math.ceil(durationMs) + (cold ? Math.ceil(initMs) : 0);
    this.counters.billedMs += billed;
    this.functionLine(
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${this.memoryMb} MB` +
        (cold ? `\tInit Duration: ${initMs.toFixed(2)} ms` : ''),
    );
    return result;
  }

  private toResult(outcome: RunOutcome): InvokeResult {
    if (outcome.ok) return { ok: true, value: JSON.parse(outcome.json) as unknown };
    return {
      ok: false,
      errorType: outcome.error.errorType,
      errorMessage: outcome.error.errorMessage,
      ...(outcome.error.trace ? { trace: outcome.error.trace } : {}),
    };
  }

  /** Lambda gives the init phase 10 s, then retries init within the invocation, which then times out. */
  private initTimedOut(): InvokeResult {
    this.functionLine(`INIT_REPORT Init Duration: ${this.initTimeoutMs.toFixed(2)} ms\tPhase: init\tStatus: timeout`);
    return {
      ok: false,
      errorType: 'Sandbox.Timedout',
      errorMessage: `Task timed out after ${this.timeoutSeconds.toFixed(2)} seconds`,
    };
  }

  private initFailed(requestId: string, error: FunctionError): InvokeResult {
    this.functionLine(`${new Date().toISOString()}\t${requestId}\tERROR\tInit Error ${JSON.stringify(error)}`);
    return this.toResult({ ok: false, error });
  }

  /** Resolves with the promise's value, or TIMED_OUT after `ms`. */
  private async within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- execution environments -------------------------------------------------------------------

  private acquire(): Promise<Lease> {
    if (this.closed) return Promise.reject(this.closedError());
    const warm = this.idle.pop();
    if (warm !== undefined) return Promise.resolve({ env: warm, cold: false });
    if (this.environments.size < this.maxConcurrency) return Promise.resolve(this.spawn());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private spawn(): Lease {
    const stream = logStreamName();
    const logGroupName = `/aws/lambda/${this.name}`;
    const runtimeNodePath = this.options.runtimeNodePath ?? [];
    const env = new ExecutionEnvironment({
      workerConfig: {
        taskRoot: this.options.assetDir,
        handler: this.options.handler,
        functionName: this.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: this.arn,
        memoryLimitInMB: String(this.memoryMb),
        logGroupName,
        logStreamName: stream,
        runtimeMajor: this.runtimeMajor,
        runtimeNodePath,
      },
      env: executionEnvironmentVariables({
        functionName: this.name,
        region: this.region,
        runtime: this.options.runtime,
        handler: this.options.handler,
        memoryMb: this.memoryMb,
        taskRoot: this.options.assetDir,
        logGroupName,
        logStreamName: stream,
        runtimeNodePath,
        environment: this.options.environment ?? {},
        runtimeEnvironment: this.options.runtimeEnvironment ?? {},
      }),
      heapLimitMb: this.options.enforceMemoryLimit === false ? undefined : this.memoryMb,
      onLine: (line) => this.functionLine(line),
    });
    this.environments.add(env);
    env.onExit(() => this.forget(env));
    return { env, cold: true };
  }

  /** A finished invocation gives its environment to the next waiting one, else keeps it warm. */
  private release(env: ExecutionEnvironment): void {
    if (!env.isAlive || this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter.resolve({ env, cold: false });
    else this.idle.push(env);
  }

  /** Called when a worker exits (timeout, crash, close): frees its slot for a waiting invocation. */
  private forget(env: ExecutionEnvironment): void {
    this.environments.delete(env);
    const index = this.idle.indexOf(env);
    if (index >= 0) this.idle.splice(index, 1);
    while (!this.closed && this.waiting.length > 0 && this.environments.size < this.maxConcurrency) {
      this.waiting.shift()?.resolve(this.spawn());
    }
  }

  // ---- asynchronous invocations -----------------------------------------------------------------

  private async runAsync(eventJson: string, invocation: Omit<QueuedInvocation, 'event'>): Promise<void> {
    const notAfter = invocation.queuedAt + this.maximumEventAgeMs;
    for (let attempt = 1; ; attempt += 1) {
      let result: InvokeResult;
      try {
        result = await this.execute(eventJson, notAfter);
      } catch (error) {
        if (this.closed) return;
        throw error;
      }
      if (this.closed && !result.ok) return; // left in the journal, for the next start
      if (result.ok) {
        await this.notify(() =>
          this.options.onAsyncSuccess?.({
            functionName: this.name,
            invocationId: invocation.invocationId,
            event: JSON.parse(eventJson),
            attempts: attempt,
            value: result.value,
          }),
        );
        return this.options.asyncJournal?.finished(invocation.invocationId);
      }
      const delay = result.errorType === EVENT_AGE_EXCEEDED ? undefined : this.asyncRetryDelaysMs[attempt - 1];
      if (delay === undefined) return this.failAsync(eventJson, invocation.invocationId, attempt, result);
      if (!(await this.sleep(delay))) return;
    }
  }

  /** The last attempt failed: `onAsyncFailure` (the dead-letter queue) gets the event, then it is finished. */
  private async failAsync(
    eventJson: string,
    invocationId: string,
    attempts: number,
    result: Extract<InvokeResult, { ok: false }>,
  ): Promise<void> {
    const error: FunctionError = {
      errorType: result.errorType,
      errorMessage: result.errorMessage,
      ...(result.trace ? { trace: result.trace } : {}),
    };
    const onFailure = this.options.onAsyncFailure;
    if (onFailure)
      await this.notify(() =>
        onFailure({ functionName: this.name, invocationId, event: JSON.parse(eventJson), attempts, error }),
      );
    else
      this.logLine(
        `async invocation of ${this.name} dropped after ${attempts} attempts: ${error.errorType}: ${error.errorMessage}`,
      );
    this.options.asyncJournal?.finished(invocationId);
  }

  /** Waits `ms`; resolves false if the function is closed meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeping.delete(entry);
          resolve(true);
        }, ms),
        wake: resolve,
      };
      this.sleeping.add(entry);
    });
  }

  private async notify(callback: () => void | Promise<void>): Promise<void> {
    try {
      await callback();
    } catch (error) {
      this.logLine(`an asynchronous invocation callback of ${this.name} threw: ${String(error)}`);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work;
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  private functionLine(line: string): void {
    this.logLine(`[${this.name}] ${line}`);
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): LambdaRunnerError {
    return new LambdaRunnerError('FUNCTION_CLOSED', `function ${this.name} is closed`);
  }
}

/**
 * Creates a local Lambda function. Nothing starts until the first invocation (a cold start).
 *
 * @throws LambdaRunnerError `INVALID_CONFIG`, `UNSUPPORTED_RUNTIME` or `RESERVED_ENVIRONMENT_VARIABLE`.
 *
 * @example
 * const fn = createLocalFunction({
 *   name: 'Core-Handler-1A2B3C4D5E6F',
 *   arn: 'arn:aws:lambda:eu-west-1:000000000000:function:Core-Handler-1A2B3C4D5E6F',
 *   assetDir: 'cdk.out/asset.2d2188de…',
 *   handler: 'index.handler',
 *   runtime: 'nodejs24.x',
 *   timeoutSeconds: 10,
 *   environment: { TABLE_NAME: 'Core-Events-ABCD1234' },
 *   runtimeEnvironment: { AWS_ACCESS_KEY_ID: 'role-key', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL_DYNAMODB: db.endpoint },
 * });
 * const result = await fn.invoke({ hello: 'world' });
 * if (!result.ok) console.error(result.errorType, result.errorMessage);
 * await fn.close();
 */
export function createLocalFunction(options: LocalFunctionOptions): LocalFunction {
  return new LocalFunctionRunner(options);
}
