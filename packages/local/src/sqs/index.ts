/**
 * The local SQS: standard queues with visibility timeouts, receive counts and redrive policies,
 * journalled to a file when given one (`LocalQueue`); Lambda's SQS event source mapping
 * (`startSqsEventSource`); and the SQS API the dead-letter tool speaks (`createSqsApi`).
 */
export {
  LocalQueue,
  md5OfBody,
  type LocalQueueMessage,
  type LocalQueueOptions,
  type QueueMessageInput,
  type ReceivedMessage,
} from './local-queue';
export {
  startSqsEventSource,
  type SqsEventRecord,
  type SqsEventSource,
  type SqsEventSourceMetrics,
  type SqsEventSourceOptions,
} from './event-source';
export { createSqsApi, type SqsQueues } from './http';
