/**
 * The callback pattern aws-local-stepfunctions lacks: a `.waitForTaskToken` Task gets a task token
 * (`$$.Task.Token`), and waits until `SendTaskSuccess` or `SendTaskFailure` names it, its
 * `HeartbeatSeconds` pass without a `SendTaskHeartbeat`, or its `TimeoutSeconds` pass.
 *
 * The runner evaluates a state's `Parameters` against the context object it was given, which is
 * shared by every state of an execution, so `$$.Task.Token` resolves to {@link TOKEN_PLACEHOLDER};
 * the task's handler replaces the placeholder in its effective input with a fresh token.
 */
import { randomUUID } from 'node:crypto';
import { StepFunctionsError } from '../errors';
import { TaskFailure } from './task-failure';

/** What `$$.Task.Token` resolves to before a task's handler gives it its own token. */
export const TOKEN_PLACEHOLDER = 'local-task-token-placeholder';

/** Step Functions' limits on SendTaskFailure's fields. */
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

interface Waiter {
  readonly resolve: (output: unknown) => void;
  readonly reject: (failure: TaskFailure) => void;
  readonly heartbeatMs: number | undefined;
  heartbeat?: NodeJS.Timeout;
  timeout?: NodeJS.Timeout;
}

/** The tokens of the tasks waiting, and of those that ended (to answer a late report as AWS does). */
export interface TaskTokens {
  /**
   * A new token, and a promise of what is reported to it. `timeoutSeconds` and `heartbeatSeconds`
   * are the Task's `TimeoutSeconds` and `HeartbeatSeconds`.
   */
  wait(timing: { timeoutSeconds?: number; heartbeatSeconds?: number; stateMachineArn?: string }): {
    token: string;
    reported: Promise<unknown>;
  };
  /** The state machine whose task a token was issued for (SendTask* are authorized on it). */
  stateMachineOf(token: unknown): string | undefined;
  /** Ends a wait early (the task failed another way, or its execution stopped). */
  cancel(token: string): void;
  /** @throws StepFunctionsError `INVALID_TOKEN`, `TASK_DOES_NOT_EXIST`, `TASK_TIMED_OUT`, `INVALID_OUTPUT` */
  sendTaskSuccess(token: unknown, output: unknown): void;
  sendTaskFailure(token: unknown, error: unknown, cause: unknown): void;
  sendTaskHeartbeat(token: unknown): void;
  /** Fails every waiting task (the runtime is closing). */
  close(): void;
}

/**
 * @example
 * const tokens = createTaskTokens();
 * const { token, reported } = tokens.wait({ timeoutSeconds: 60 });
 * tokens.sendTaskSuccess(token, '{"ok":true}');
 * await reported; // { ok: true }
 */
export function createTaskTokens(): TaskTokens {
  const waiting = new Map<string, Waiter>();
  const ended = new Map<string, 'reported' | 'timed-out'>();
  // Kept after the task ends: a late report is authorized on its state machine, then answered as AWS does.
  const owners = new Map<string, string>();

  const settle = (token: string, how: 'reported' | 'timed-out'): Waiter | undefined => {
    const waiter = waiting.get(token);
    if (waiter === undefined) return undefined;
    clearTimeout(waiter.heartbeat);
    clearTimeout(waiter.timeout);
    waiting.delete(token);
    ended.set(token, how);
    return waiter;
  };
  const expire = (token: string, name: string, cause: string) =>
    settle(token, 'timed-out')?.reject(new TaskFailure(name, cause, { retryable: true, catchable: true }));
  const arm = (token: string, waiter: Waiter) => {
    if (waiter.heartbeatMs === undefined) return;
    clearTimeout(waiter.heartbeat);
    waiter.heartbeat = setTimeout(
      () => expire(token, 'States.HeartbeatTimeout', `no heartbeat for ${waiter.heartbeatMs} ms`),
      waiter.heartbeatMs,
    );
  };
  const waiterOf = (token: unknown): [string, Waiter] => {
    if (typeof token !== 'string' || token.length === 0 || token.length > 1024)
      throw new StepFunctionsError('INVALID_TOKEN', 'Invalid Token: the task token must be 1 to 1024 characters.');
    const waiter = waiting.get(token);
    if (waiter !== undefined) return [token, waiter];
    if (ended.get(token) === 'timed-out') throw new StepFunctionsError('TASK_TIMED_OUT', 'Task Timed Out');
    throw new StepFunctionsError('TASK_DOES_NOT_EXIST', 'Task Does Not Exist');
  };

  return {
    wait({ timeoutSeconds, heartbeatSeconds, stateMachineArn }) {
      const token = `local-${randomUUID()}`;
      const reported = new Promise<unknown>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, heartbeatMs: seconds(heartbeatSeconds) };
        if (stateMachineArn !== undefined) owners.set(token, stateMachineArn);
        waiting.set(token, waiter);
        arm(token, waiter);
        const timeoutMs = seconds(timeoutSeconds);
        if (timeoutMs !== undefined)
          waiter.timeout = setTimeout(
            () => expire(token, 'States.Timeout', `the task did not report within ${timeoutMs} ms`),
            timeoutMs,
          );
      });
      return { token, reported };
    },
    stateMachineOf: (token) => (typeof token === 'string' ? owners.get(token) : undefined),
    cancel(token) {
      settle(token, 'timed-out');
    },
    sendTaskSuccess(token, output) {
      const [name] = waiterOf(token);
      if (typeof output !== 'string')
        throw new StepFunctionsError('INVALID_OUTPUT', 'Invalid Output: output must be JSON text.');
      let value: unknown;
      try {
        value = JSON.parse(output);
      } catch (error) {
        throw new StepFunctionsError('INVALID_OUTPUT', `Invalid Output: ${(error as Error).message}`);
      }
      settle(name, 'reported')?.resolve(value);
    },
    sendTaskFailure(token, error, cause) {
      const [name] = waiterOf(token);
      const errorName = typeof error === 'string' ? error.slice(0, MAX_ERROR_LENGTH) : '';
      const causeText = typeof cause === 'string' ? cause.slice(0, MAX_CAUSE_LENGTH) : '';
      settle(name, 'reported')?.reject(new TaskFailure(errorName, causeText, { retryable: true, catchable: true }));
    },
    sendTaskHeartbeat(token) {
      const [name, waiter] = waiterOf(token);
      arm(name, waiter);
    },
    close() {
      for (const token of [...waiting.keys()]) expire(token, 'States.Runtime', 'the local Step Functions stopped');
    },
  };
}

function seconds(value: number | undefined): number | undefined {
  return typeof value === 'number' && value > 0 ? value * 1000 : undefined;
}
