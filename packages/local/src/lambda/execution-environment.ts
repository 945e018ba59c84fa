/**
 * One execution environment: a worker thread running the bootstrap, with its own environment variables,
 * serving one invocation at a time.
 */
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { WORKER_BOOTSTRAP_SOURCE } from './bootstrap-source';
import { workerExecArgv } from '../worker-exec-argv';
import { isWorkerMessage, type FunctionError, type InvokeMessage, type WorkerConfig } from './protocol';

/** How the start of an environment ended. */
export type InitOutcome =
  { readonly ok: true; readonly initMs: number } | { readonly ok: false; readonly error: FunctionError };

/** What one invocation in an environment returned. */
export type RunOutcome =
  { readonly ok: true; readonly json: string } | { readonly ok: false; readonly error: FunctionError };

/** Options for {@link ExecutionEnvironment}. */
export interface ExecutionEnvironmentOptions {
  readonly workerConfig: WorkerConfig;
  readonly env: Readonly<Record<string, string>>;
  /** Heap limit of the worker, in MB; undefined for none. */
  readonly heapLimitMb: number | undefined;
  /** Receives each line the function writes (console output already in Lambda's format). */
  readonly onLine: (line: string) => void;
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (buffered !== '') onLine(buffered);
  });
}

function workerErrorToFunctionError(error: Error & { code?: string }): FunctionError {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { errorType: 'Runtime.OutOfMemory', errorMessage: `Runtime exited with error: ${error.message}` };
  }
  return {
    errorType: error.name || 'Error',
    errorMessage: error.message,
    ...(error.stack ? { trace: error.stack.split('\n') } : {}),
  };
}

/** A worker thread that runs one function's code. */
export class ExecutionEnvironment {
  /** Resolves once the handler is loaded (or failed to load, or the worker died first). */
  readonly ready: Promise<InitOutcome>;
  private readonly worker: Worker;
  private readonly startedAt = performance.now();
  private settleReady: (outcome: InitOutcome) => void = () => {};
  private running: { readonly invocationId: number; readonly settle: (outcome: RunOutcome) => void } | undefined;
  private lastFatal: FunctionError | undefined;
  private exitReason: string | undefined;
  private alive = true;
  private readonly exitListeners: Array<() => void> = [];

  constructor(options: ExecutionEnvironmentOptions) {
    this.ready = new Promise((resolve) => {
      this.settleReady = resolve;
    });
    this.worker = new Worker(WORKER_BOOTSTRAP_SOURCE, {
      eval: true,
      name: `lambda:${options.workerConfig.functionName}`,
      env: { ...options.env },
      workerData: options.workerConfig,
      execArgv: workerExecArgv(),
      stdout: true,
      stderr: true,
      ...(options.heapLimitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb } }),
    });
    forwardLines(this.worker.stdout, options.onLine);
    forwardLines(this.worker.stderr, options.onLine);
    this.worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      switch (message.type) {
        case 'ready':
          this.settleReady({ ok: true, initMs: performance.now() - this.startedAt });
          break;
        case 'init-error':
          this.settleReady({ ok: false, error: message.error });
          break;
        case 'log':
          options.onLine(message.line);
          break;
        case 'fatal':
          this.lastFatal = message.error;
          break;
        case 'result':
          if (this.running?.invocationId === message.invocationId) {
            const { settle } = this.running;
            this.running = undefined;
            settle(message.ok ? { ok: true, json: message.json } : { ok: false, error: message.error });
          }
          break;
      }
    });
    this.worker.on('error', (error: Error) => {
      this.lastFatal = workerErrorToFunctionError(error);
    });
    this.worker.on('exit', (code) => {
      this.alive = false;
      const error: FunctionError = this.lastFatal ?? {
        errorType: 'Runtime.ExitError',
        errorMessage: this.exitReason ?? `Runtime exited with error: exit status ${code}`,
      };
      this.settleReady({ ok: false, error });
      if (this.running !== undefined) {
        const { settle } = this.running;
        this.running = undefined;
        settle({ ok: false, error });
      }
      for (const listener of this.exitListeners) listener();
    });
  }

  /** False once the worker has exited (crash, timeout, close). */
  get isAlive(): boolean {
    return this.alive;
  }

  /** Calls `listener` when the worker exits, for whatever reason. */
  onExit(listener: () => void): void {
    this.exitListeners.push(listener);
  }

  /** Runs one invocation; the environment must be ready and idle. */
  run(message: Omit<InvokeMessage, 'type'>): Promise<RunOutcome> {
    if (!this.alive)
      return Promise.resolve({
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited before the invocation' },
      });
    return new Promise((settle) => {
      this.running = { invocationId: message.invocationId, settle };
      const invoke: InvokeMessage = { type: 'invoke', ...message };
      this.worker.postMessage(invoke);
    });
  }

  /** Stops the worker; a running invocation ends with `Runtime.ExitError` and `reason` as its message. */
  async terminate(reason: string): Promise<void> {
    if (!this.alive) return;
    this.exitReason = reason;
    await this.worker.terminate();
  }
}
