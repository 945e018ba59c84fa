/**
 * Messages between the runner (main thread) and the bootstrap inside each worker thread.
 * The bootstrap is plain JavaScript (see `bootstrap-source.ts`); these types describe what it sends.
 */

/** A function error as Lambda reports it. */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** What the bootstrap gets as `workerData`. */
export interface WorkerConfig {
  readonly taskRoot: string;
  readonly handler: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Major Node.js version of the Lambda runtime (24 for `nodejs24.x`). */
  readonly runtimeMajor: number;
  /** Folders searched for packages the bundle does not contain (`@aws-sdk/*` on Lambda). */
  readonly runtimeNodePath: readonly string[];
}

/** Runner → worker. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly invocationId: number;
  readonly requestId: string;
  readonly eventJson: string;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
}

/** Worker → runner. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: FunctionError }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'result'; readonly invocationId: number; readonly ok: true; readonly json: string }
  | { readonly type: 'result'; readonly invocationId: number; readonly ok: false; readonly error: FunctionError }
  | { readonly type: 'fatal'; readonly error: FunctionError };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Narrows a message from a worker; anything else is ignored by the runner. */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    isRecord(value) &&
    typeof value['type'] === 'string' &&
    ['ready', 'init-error', 'log', 'result', 'fatal'].includes(value['type'])
  );
}
