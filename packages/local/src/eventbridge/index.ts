/**
 * The local EventBridge: `createLocalEventBus` (PutEvents, rules, targets, retries,
 * dead-letter queues), `LocalQueue` for SQS dead-letter queues, and the errors they raise.
 */
export { createLocalEventBus, type LocalEventBus } from './bus';
export { LocalQueue, type LocalQueueMessage, type LocalQueueOptions } from './local-queue';
export {
  DeliveryError,
  EventBridgeConfigError,
  PutEventsRequestError,
  type DeliveryErrorCode,
  type DeliveryFailure,
  type EventBridgeConfigErrorCode,
  type PutEventsRequestErrorCode,
} from './errors';
export { EventPatternError, matchesEventPattern, validateEventPattern } from './event-pattern';
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
