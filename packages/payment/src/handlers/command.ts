/** Lambda entry point: openPaymentAccount (AppSync direct resolver) and the saga's authorize, capture, refund and void. */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventBridgePublisher } from '@core/runtime/eventbridge';
import { createCommandHandler } from '@core/runtime/handlers';
import { parsePaymentCommand } from '../api/commands';
import { paymentDecider } from '../domain/payment';

export const handler = createCommandHandler({
  aggregate: 'payment',
  decider: paymentDecider,
  parse: parsePaymentCommand,
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
    publisher: createEventBridgePublisher({
      eventBusName: config.required('EVENT_BUS_NAME'),
      source: config.required('EVENT_SOURCE'),
    }),
    deadlineMs: config.integer('COMMAND_DEADLINE_MS', 10_000),
  }),
});
