/** Lambda entry point: registerRoom (AppSync direct resolver) and the saga's holdRoom, confirmRoomHold, releaseRoomHold. */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventBridgePublisher } from '@core/runtime/eventbridge';
import { createCommandHandler } from '@core/runtime/handlers';
import { parseRoomCommand } from '../api/commands';
import { roomDecider } from '../domain/room';

export const handler = createCommandHandler({
  aggregate: 'room',
  decider: roomDecider,
  parse: parseRoomCommand,
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
    publisher: createEventBridgePublisher({
      eventBusName: config.required('EVENT_BUS_NAME'),
      source: config.required('EVENT_SOURCE'),
    }),
    deadlineMs: config.integer('COMMAND_DEADLINE_MS', 10_000),
  }),
});
