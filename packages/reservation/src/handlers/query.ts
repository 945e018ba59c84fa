/**
 * Lambda entry point: getReservationById, getReservationCommandOutcome (from the event store) and
 * listReservationsByUser (from the read model) — AppSync direct resolvers.
 */
import { readConfig } from '@core/runtime';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createQueryHandler } from '@core/runtime/handlers';
import { reservationDecider } from '../domain/reservation';
import { id } from '../api/commands';
import { toOutcomeView, toReservation } from '../api/views';
import { reservationsByUser, type ReservationsByUser } from '../read-model/reservations-by-user';

let readModel: ReservationsByUser | undefined;
const byUser = () =>
  (readModel ??= reservationsByUser({ tableName: readConfig(process.env).required('READ_MODEL_TABLE_NAME') }));

export const handler = createQueryHandler({
  reducer: reservationDecider,
  queries: {
    getReservationById: async (args, read) => {
      const { state, version } = await read.load(id(args.id, 'id'));
      return toReservation(state, version);
    },
    getReservationCommandOutcome: async (args, read) =>
      toOutcomeView(await read.outcome(id(args.id, 'id'), id(args.commandId, 'commandId'))),
    listReservationsByUser: async (args) => byUser().list(id(args.userId, 'userId')),
  },
  adapters: (config) => ({ store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }) }),
});
