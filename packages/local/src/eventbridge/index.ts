/**
 * The local EventBridge: `createLocalEventBus` (PutEvents, rules, targets, retries,
 * dead-letter queues) and `LocalQueue` for SQS dead-letter queues. Their errors are in `../errors`.
 */
export { createLocalEventBus, type LocalEventBus, type PutEventsOptions } from './bus';
export type { EntryAuthorizer, EntryFailure, EntryToAuthorize } from './put-events';
export { LocalQueue, type LocalQueueMessage, type LocalQueueOptions } from './local-queue';
export { matchesEventPattern, validateEventPattern } from './event-pattern';
export type {
  DeadLetterMessage,
  DeliveryContext,
  EventBusMetrics,
  EventEnvelope,
  LocalEventBusOptions,
  LocalInputTransformer,
  LocalRetryPolicy,
  LocalRule,
  LocalTarget,
  PutEventsRequestEntryJson,
  PutEventsRequestJson,
  PutEventsResponseJson,
  PutEventsResultEntryJson,
} from './types';
