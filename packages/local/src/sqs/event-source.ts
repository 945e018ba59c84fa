/**
 * An SQS event source mapping, as Lambda runs one: it polls the queue, hands the function a batch of
 * at most `batchSize` messages (an `aws:sqs` event) in a synchronous invocation, and deletes what was
 * handled. A function error leaves the whole batch in the queue, to be received again when its
 * visibility timeout ends (and moved by the queue's redrive policy after `maxReceiveCount` receives).
 * With `ReportBatchItemFailures`, the messages the function names in `batchItemFailures` stay and the
 * others are deleted; an answer that names an unknown or empty id fails the whole batch, as on Lambda.
 */
import type { LocalQueue, ReceivedMessage } from './local-queue';
import { md5OfBody } from './local-queue';

/** One record of the `aws:sqs` event Lambda gives the function. */
export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<
    string,
    { stringValue: string; stringListValues: []; binaryListValues: []; dataType: 'String' }
  >;
  readonly md5OfBody: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

/** What an invocation answered, as `LocalFunction.invoke` gives it. */
export type EventSourceInvokeResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

export interface SqsEventSourceOptions {
  readonly queue: LocalQueue;
  /** A synchronous invocation of the mapped function. */
  readonly invoke: (event: { Records: SqsEventRecord[] }) => Promise<EventSourceInvokeResult>;
  /** @default 10 */
  readonly batchSize?: number;
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** Batches handled at once. @default 2 */
  readonly maxConcurrency?: number;
  readonly region: string;
  /** A line for each batch that failed. @default nothing */
  readonly log?: (line: string) => void;
}

export interface SqsEventSourceMetrics {
  batches: number;
  /** Messages deleted after their batch was handled. */
  handled: number;
  /** Messages left in the queue by a failed batch or a reported item failure. */
  failed: number;
}

export interface SqsEventSource {
  readonly metrics: Readonly<SqsEventSourceMetrics>;
  /** True while a batch runs or a message can be received. */
  busy(): boolean;
  /** Resolves when no batch runs and no message can be received (hidden ones are not waited for). */
  idle(): Promise<void>;
  /** Stops polling and waits for the batches under way. */
  close(): Promise<void>;
}

/**
 * @example
 * const source = startSqsEventSource({ queue, invoke: (event) => fn.invoke(event), batchSize: 10, reportBatchItemFailures: true, region });
 * await source.idle();
 * await source.close();
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const { queue } = options;
  const batchSize = options.batchSize ?? 10;
  const maxConcurrency = options.maxConcurrency ?? 2;
  const metrics: SqsEventSourceMetrics = { batches: 0, handled: 0, failed: 0 };
  const running = new Set<Promise<void>>();
  const idleWaiters: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const busy = () => running.size > 0 || (!closed && queue.counts().visible > 0);
  const settle = () => {
    if (!busy()) for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const pump = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (closed) return settle();
    while (running.size < maxConcurrency) {
      const batch = queue.receive({ max: batchSize });
      if (batch.length === 0) break;
      const handling: Promise<void> = handleBatch(options, batch, metrics).finally(() => {
        running.delete(handling);
        pump();
      });
      running.add(handling);
    }
    const next = queue.nextVisibleAt();
    if (next !== undefined && running.size < maxConcurrency) {
      timer = setTimeout(pump, Math.max(0, next - Date.now()) + 1);
      timer.unref();
    }
    settle();
  };

  const unsubscribe = queue.onMessage(() => setImmediate(pump));
  setImmediate(pump);

  return {
    metrics,
    busy,
    idle: () => (busy() ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
    close: async () => {
      closed = true;
      unsubscribe();
      clearTimeout(timer);
      await Promise.allSettled([...running]);
      settle();
    },
  };
}

async function handleBatch(
  options: SqsEventSourceOptions,
  batch: readonly ReceivedMessage[],
  metrics: SqsEventSourceMetrics,
): Promise<void> {
  metrics.batches += 1;
  const result = await options
    .invoke({ Records: batch.map((message) => toRecord(message, options)) })
    .catch((error: unknown) => ({ ok: false as const, errorType: 'Error', errorMessage: String(error) }));
  const failed = result.ok ? failedItems(result.value, batch, options.reportBatchItemFailures === true) : 'all';
  for (const message of batch) {
    if (failed === 'all' || failed.has(message.messageId)) metrics.failed += 1;
    else if (options.queue.delete(message.receiptHandle)) metrics.handled += 1;
  }
  if (failed !== 'all' && failed.size === 0) return;
  const why = result.ok ? 'reported item failures' : `${result.errorType}: ${result.errorMessage}`;
  const count = failed === 'all' ? batch.length : failed.size;
  options.log?.(
    `${count} message(s) of ${options.queue.name} stay queued (${why.slice(0, 200)}); visible again in ${options.queue.visibilityTimeoutMs} ms`,
  );
}

/** The message ids a handler reported as failed, or 'all' when its answer is one Lambda refuses. */
function failedItems(value: unknown, batch: readonly ReceivedMessage[], reporting: boolean): Set<string> | 'all' {
  if (!reporting || value === null || typeof value !== 'object') return new Set();
  const failures = (value as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set(batch.map((message) => message.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

function toRecord(message: ReceivedMessage, options: SqsEventSourceOptions): SqsEventRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(Date.parse(message.sentAt)),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.parse(message.firstReceivedAt ?? message.sentAt)),
      ...(message.deadLetterSourceArn === undefined ? {} : { DeadLetterQueueSourceArn: message.deadLetterSourceArn }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [
        name,
        { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' as const },
      ]),
    ),
    md5OfBody: md5OfBody(message.body),
    eventSource: 'aws:sqs',
    eventSourceARN: options.queue.arn,
    awsRegion: options.region,
  };
}
