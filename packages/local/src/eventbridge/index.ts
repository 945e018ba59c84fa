/**
 * The local EventBridge: `createLocalEventBus` (PutEvents, rules, targets, retries, dead-letter
 * queues; the queues themselves are `../sqs`). Its errors are in `../errors`.
 */
export { createLocalEventBus, type LocalEventBus, type PutEventsOptions } from './bus';
export type { EntryAuthorizer, EntryFailure, EntryToAuthorize } from './put-events';
export { matchesEventPattern, validateEventPattern } from './event-pattern';
export type {
  BusJournal,
  DeadLetterMessage,
  DeliveryContext,
  EventBusMetrics,
  EventEnvelope,
  JournalledBusEvent,
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
