/** Lambda entry point: registerCustomer, changeCustomerDetails and deactivateCustomer (AppSync direct resolver). */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventBridgePublisher } from '@core/runtime/eventbridge';
import { createCommandHandler } from '@core/runtime/handlers';
import { parseCustomerCommand } from '../api/commands';
import { paymentAccountOpenings } from '../api/payment-account';
import { customerDecider } from '../domain/customer';

export const handler = createCommandHandler({
  aggregate: 'customer',
  decider: customerDecider,
  parse: parseCustomerCommand,
  external: paymentAccountOpenings,
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
    publisher: createEventBridgePublisher({
      eventBusName: config.required('EVENT_BUS_NAME'),
      source: config.required('EVENT_SOURCE'),
    }),
    deadlineMs: config.integer('COMMAND_DEADLINE_MS', 10_000),
  }),
});
