/**
 * The EventBridge publisher: one PutEvents entry per commit (so a commit is published all or none),
 * up to 10 entries and under 1 MB per request. Entries that fail with a retryable code are retried
 * with backoff; anything still failing is thrown, never dropped.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBridgeClientConfig } from './aws-clients';
import { COMMIT_DETAIL_TYPE, RENOTIFY_DETAIL_TYPE } from './bus-contract';
import type { Commit } from './envelope';
import { DependencyError, PayloadTooLargeError } from './errors';
import type { EventPublisher, RenotifyRequest } from './ports';

export { COMMIT_DETAIL_TYPE, EXTERNAL_COMMIT_DETAIL_TYPE, RENOTIFY_DETAIL_TYPE } from './bus-contract';

/** EventBridge's PutEvents limit for one request (and so one entry), since January 2026. */
export const EVENTBRIDGE_REQUEST_LIMIT_BYTES = 1024 * 1024;
/** EventBridge bills every started 64 KB of an entry as one event. */
export const EVENTBRIDGE_BILLING_CHUNK_BYTES = 64 * 1024;

const MAX_ENTRIES_PER_REQUEST = 10;
const RETRYABLE_CODES = new Set(['InternalFailure', 'ThrottlingException']);

export interface EventBridgePublisherOptions {
  readonly eventBusName: string;
  /** The `source` of every entry: `core.reservation`. */
  readonly source: string;
  /** @default a client configured from the environment only (see aws-clients.ts), with the SDK's 3 attempts per request */
  readonly client?: EventBridgeClient;
  /** Attempts per entry, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay, doubled per attempt. @default 50 */
  readonly baseDelayMs?: number;
}

export interface PublisherMetrics {
  requests: number;
  entries: number;
  /** 64 KB chunks, as EventBridge bills them. */
  billedEvents: number;
  retries: number;
}

/** The size EventBridge counts for an entry: Source + DetailType + Detail + Resources, in UTF-8 bytes. */
export function entrySizeBytes(entry: PutEventsRequestEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (text !== undefined) size += Buffer.byteLength(text);
  }
  return size;
}

/**
 * @example
 * const publisher = createEventBridgePublisher({ eventBusName: config.required('EVENT_BUS_NAME'), source: 'core.reservation' });
 * await publisher.publish([commit]);
 */
export function createEventBridgePublisher(options: EventBridgePublisherOptions): EventPublisher & {
  readonly metrics: PublisherMetrics;
  toEntry(commit: Commit, detailType?: string): PutEventsRequestEntry;
} {
  const client = options.client ?? new EventBridgeClient(eventBridgeClientConfig({ maxAttempts: 3 }));
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const metrics: PublisherMetrics = { requests: 0, entries: 0, billedEvents: 0, retries: 0 };

  function toEntry(commit: Commit, detailType: string = COMMIT_DETAIL_TYPE): PutEventsRequestEntry {
    return {
      EventBusName: options.eventBusName,
      Source: options.source,
      DetailType: detailType,
      Detail: JSON.stringify(commit),
      Resources: [],
    };
  }

  async function renotify(request: RenotifyRequest): Promise<void> {
    const entry: PutEventsRequestEntry = {
      EventBusName: options.eventBusName,
      Source: options.source,
      DetailType: RENOTIFY_DETAIL_TYPE,
      Detail: JSON.stringify(request),
      Resources: [],
    };
    await sendWithRetries([entry]);
  }

  async function publish(commits: readonly Commit[], detailType?: string): Promise<void> {
    const entries = commits.map((commit) => {
      const entry = toEntry(commit, detailType);
      const size = entrySizeBytes(entry);
      if (size >= EVENTBRIDGE_REQUEST_LIMIT_BYTES) {
        throw new PayloadTooLargeError(
          `the bus entry of commit ${commit.commitId}`,
          size,
          EVENTBRIDGE_REQUEST_LIMIT_BYTES,
        );
      }
      return entry;
    });
    for (const batch of batches(entries)) await sendWithRetries(batch);
  }

  async function sendWithRetries(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const result = await client.send(new PutEventsCommand({ Entries: pending }));
      metrics.requests += 1;
      const failed: { entry: PutEventsRequestEntry; code: string; message: string }[] = [];
      pending.forEach((entry, index) => {
        const answer = result.Entries?.[index];
        if (answer?.ErrorCode === undefined && answer?.EventId !== undefined) {
          metrics.entries += 1;
          metrics.billedEvents += Math.ceil(entrySizeBytes(entry) / EVENTBRIDGE_BILLING_CHUNK_BYTES);
        } else {
          failed.push({ entry, code: answer?.ErrorCode ?? 'Unknown', message: answer?.ErrorMessage ?? 'no answer' });
        }
      });
      if (failed.length === 0) return;
      const permanent = failed.filter((failure) => !RETRYABLE_CODES.has(failure.code));
      if (permanent.length > 0 || attempt >= maxAttempts) {
        const reasons = failed.map((failure) => `${failure.code}: ${failure.message}`).join('; ');
        throw new DependencyError(
          'PUBLISH_FAILED',
          `EventBridge refused ${failed.length} entr${failed.length === 1 ? 'y' : 'ies'} after ${attempt} attempt(s): ${reasons}`,
        );
      }
      metrics.retries += failed.length;
      pending = failed.map((failure) => failure.entry);
      await sleep(baseDelayMs * 2 ** (attempt - 1));
    }
  }

  return { publish, renotify, metrics, toEntry };
}

/** Groups entries into PutEvents requests of at most 10 entries and under 1 MB in total. */
function batches(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const result: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let currentSize = 0;
  for (const entry of entries) {
    const size = entrySizeBytes(entry);
    if (
      current.length === MAX_ENTRIES_PER_REQUEST ||
      (current.length > 0 && currentSize + size >= EVENTBRIDGE_REQUEST_LIMIT_BYTES)
    ) {
      result.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(entry);
    currentSize += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
