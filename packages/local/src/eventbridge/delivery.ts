/**
 * Delivery of one event to one target, as EventBridge does it: retry retryable failures
 * with exponential backoff and jitter until the target's `RetryPolicy` runs out, then send
 * the event to the target's dead-letter queue; send non-retryable failures there at once.
 * The same event (and event id) is delivered on every attempt.
 */
import type { DeliveryErrorCode } from '../errors';
import type { DeadLetterMessage, DeliveryContext, EventBusMetrics, EventEnvelope } from './types';

/** Defaults and bounds of a target's `RetryPolicy`. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
export const RETRY_ATTEMPTS_RANGE = { min: 0, max: 185 } as const;
export const EVENT_AGE_SECONDS_RANGE = { min: 60, max: 86_400 } as const;

/** How the engine reads a failed delivery (by shape, so any error with a code and `retryable` is understood). */
export interface DeliveryFailure {
  readonly code: DeliveryErrorCode | string;
  readonly retryable: boolean;
  readonly message: string;
}

/** The backoff cap, as a multiple of the base (100 ms → 5 s). */
const BACKOFF_CAP_FACTOR = 50;

/** Which limit ended the retries, as written in `EXHAUSTED_RETRY_CONDITION`. */
export type ExhaustedRetryCondition = 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';

/** One event for one target. */
export interface DeliveryJob {
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly deadLetterArn: string | undefined;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly envelope: EventEnvelope;
  readonly input: unknown;
  readonly ingestedAt: Date;
}

/** Severity of a log line; passed in the fields as `level`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the engine needs from the bus. */
export interface DeliveryEngineOptions {
  readonly deliver: (targetArn: string, input: unknown, context: DeliveryContext) => Promise<void>;
  readonly deadLetter: (queueArn: string, message: DeadLetterMessage) => Promise<void>;
  readonly log: (level: LogLevel, line: string, fields: Record<string, unknown>) => void;
  readonly retryBaseMs: number;
  readonly now: () => Date;
  readonly metrics: EventBusMetrics;
  /** Multiplies `maximumEventAgeSeconds`. @default 1 */
  readonly eventAgeScale?: number;
  /** When the engine closes, leave unfinished jobs `interrupted` (journalled elsewhere) instead of dropping them. */
  readonly keepOnClose?: boolean;
}

/** How a job ended: finished (delivered, dead-lettered or dropped), or interrupted by `close` and kept. */
export type DeliveryOutcome = 'finished' | 'interrupted';

/** Runs delivery jobs; `close` cancels the waits between retries. */
export interface DeliveryEngine {
  /** Delivers, retries, dead-letters or drops; never rejects. */
  run(job: DeliveryJob): Promise<DeliveryOutcome>;
  /** Stops retrying: jobs waiting for a retry are dropped (and logged). */
  close(): void;
}

/**
 * Builds the delivery engine of a bus.
 *
 * @example
 * ```ts
 * const engine = createDeliveryEngine({ deliver, deadLetter, log, retryBaseMs: 100, now: () => new Date(), metrics });
 * await engine.run(job);
 * ```
 */
export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const { metrics } = options;
  const waits = new Set<{ timer: NodeJS.Timeout; wake: (completed: boolean) => void }>();
  let closed = false;

  /** Waits; resolves false when the engine closed meanwhile. */
  const sleep = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const wake = (completed: boolean): void => {
        clearTimeout(wait.timer);
        waits.delete(wait);
        resolve(completed);
      };
      const wait = { timer: setTimeout(() => wake(true), ms), wake };
      waits.add(wait);
    });

  const backoffMs = (retry: number): number => {
    const capped = Math.min(options.retryBaseMs * BACKOFF_CAP_FACTOR, options.retryBaseMs * 2 ** retry);
    return Math.round(capped * (0.5 + Math.random() / 2));
  };

  const drop = (job: DeliveryJob, why: string, extra: Record<string, unknown>): void => {
    metrics.dropped += 1;
    options.log('error', `EVENT DROPPED: ${why}`, { ...fieldsOf(job), ...extra });
  };

  const giveUp = (
    job: DeliveryJob,
    failure: DeliveryFailure,
    retries: number,
    exhausted: ExhaustedRetryCondition | undefined,
  ): Promise<void> => deadLetterOrDrop(options, job, { failure, retries, exhausted }, drop);

  const interrupted = (job: DeliveryJob, why: string, retries: number): DeliveryOutcome => {
    if (options.keepOnClose === true) {
      options.log('info', `Delivery left for the next start: ${why}`, { ...fieldsOf(job), retries });
      return 'interrupted';
    }
    drop(job, why, { retries });
    return 'finished';
  };
  const maximumAgeMs = (job: DeliveryJob) => job.maximumEventAgeSeconds * 1000 * (options.eventAgeScale ?? 1);

  const run = async (job: DeliveryJob): Promise<DeliveryOutcome> => {
    const context: DeliveryContext = {
      ruleName: job.ruleName,
      ruleArn: job.ruleArn,
      eventId: job.envelope.id,
      event: job.envelope,
    };
    let retries = 0;
    for (;;) {
      if (closed) return interrupted(job, 'the event bus closed before the event was delivered', retries);
      let failure: DeliveryFailure;
      try {
        await options.deliver(job.targetArn, job.input, context);
        metrics.deliveries += 1;
        options.log('debug', 'Event delivered', { ...fieldsOf(job), retries });
        return 'finished';
      } catch (error) {
        failure = toDeliveryFailure(error);
      }
      if (closed) return interrupted(job, 'the event bus closed during the delivery', retries);
      const ageMs = options.now().getTime() - job.ingestedAt.getTime();
      const exhausted: ExhaustedRetryCondition | undefined = !failure.retryable
        ? undefined
        : retries >= job.maximumRetryAttempts
          ? 'MaximumRetryAttempts'
          : ageMs >= maximumAgeMs(job)
            ? 'MaximumEventAgeInSeconds'
            : undefined;
      if (!failure.retryable || exhausted !== undefined) {
        await giveUp(job, failure, retries, exhausted);
        return 'finished';
      }
      const delayMs = backoffMs(retries);
      options.log('info', `Delivery failed (${failure.code}); retrying in ${delayMs} ms`, {
        ...fieldsOf(job),
        errorMessage: failure.message,
        retries,
      });
      if (!(await sleep(delayMs)))
        return interrupted(job, 'the event bus closed while the event was waiting for a retry', retries);
      retries += 1;
      metrics.retries += 1;
    }
  };

  const close = (): void => {
    closed = true;
    for (const wait of [...waits]) wait.wake(false);
  };

  return { run, close };
}

/** What a delivery's log lines say about it. */
function fieldsOf(job: DeliveryJob): Record<string, unknown> {
  return { eventId: job.envelope.id, rule: job.ruleName, target: job.targetId, targetArn: job.targetArn };
}

/** After the last failed attempt: the event goes to the target's dead-letter queue, or is dropped (and logged). */
async function deadLetterOrDrop(
  options: DeliveryEngineOptions,
  job: DeliveryJob,
  ended: { failure: DeliveryFailure; retries: number; exhausted: ExhaustedRetryCondition | undefined },
  drop: (job: DeliveryJob, why: string, extra: Record<string, unknown>) => void,
): Promise<void> {
  const { failure, retries, exhausted } = ended;
  const outcome = { errorCode: failure.code, errorMessage: failure.message, retries, exhausted };
  if (job.deadLetterArn === undefined) {
    drop(job, `delivery to ${job.targetArn} failed and the target has no dead-letter queue`, outcome);
    return;
  }
  const attributes: Record<string, string> = {
    RULE_ARN: job.ruleArn,
    TARGET_ARN: job.targetArn,
    ERROR_CODE: failure.code,
    ERROR_MESSAGE: failure.message,
    ...(exhausted !== undefined ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
    RETRY_ATTEMPTS: String(retries),
  };
  try {
    await options.deadLetter(job.deadLetterArn, { body: JSON.stringify(job.envelope), attributes });
    options.metrics.deadLettered += 1;
    options.log('warn', `Event sent to dead-letter queue ${job.deadLetterArn}`, { ...fieldsOf(job), ...outcome });
  } catch (error) {
    drop(job, `the dead-letter queue ${job.deadLetterArn} refused the event`, {
      ...outcome,
      deadLetterError: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Reads a `deliver` rejection. Anything without a string `code` and a boolean `retryable` (a
 * `DeliveryError` has both) is a fault of the local runtime itself and counts as a retryable
 * `INTERNAL_ERROR`, as an AWS internal failure would.
 */
export function toDeliveryFailure(error: unknown): DeliveryFailure {
  if (typeof error === 'object' && error !== null) {
    const { code, retryable, message } = error as { code?: unknown; retryable?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof retryable === 'boolean') {
      return { code, retryable, message: typeof message === 'string' ? message : code };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL_ERROR', retryable: true, message };
}
