/** Lambda entry point: getReservationById (AppSync direct resolver). */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createQueryHandler } from '@core/runtime/handlers';
import { ValidationError } from '@core/runtime';
import { reservationDecider } from '../domain/reservation';
import { toReservation } from '../api/views';

export const handler = createQueryHandler({
  reducer: reservationDecider,
  queries: {
    getReservationById: async (args, load) => {
      if (typeof args.id !== 'string' || args.id === '')
        throw new ValidationError('INVALID_ID', 'id is required', 'id');
      const { state, version } = await load(args.id);
      return toReservation(state, version);
    },
  },
  adapters: (config) => ({ store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }) }),
});
