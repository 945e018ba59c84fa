/** Lambda entry point: getReservationById and getReservationCommandOutcome (AppSync direct resolvers). */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createQueryHandler } from '@core/runtime/handlers';
import { reservationDecider } from '../domain/reservation';
import { id } from '../api/commands';
import { toOutcomeView, toReservation } from '../api/views';

export const handler = createQueryHandler({
  reducer: reservationDecider,
  queries: {
    getReservationById: async (args, read) => {
      const { state, version } = await read.load(id(args.id, 'id'));
      return toReservation(state, version);
    },
    getReservationCommandOutcome: async (args, read) =>
      toOutcomeView(await read.outcome(id(args.id, 'id'), id(args.commandId, 'commandId'))),
  },
  adapters: (config) => ({ store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }) }),
});
