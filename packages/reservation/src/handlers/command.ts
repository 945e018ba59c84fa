/** Lambda entry point: createReservation and cancelReservation (AppSync direct resolver). */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventBridgePublisher } from '@core/runtime/eventbridge';
import { createCommandHandler } from '@core/runtime/handlers';
import { parseReservationCommand } from '../api/commands';
import { reservationDecider } from '../domain/reservation';

export const handler = createCommandHandler({
  aggregate: 'reservation',
  decider: reservationDecider,
  parse: parseReservationCommand,
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
    publisher: createEventBridgePublisher({
      eventBusName: config.required('EVENT_BUS_NAME'),
      source: config.required('EVENT_SOURCE'),
    }),
    deadlineMs: config.integer('COMMAND_DEADLINE_MS', 10_000),
  }),
});
