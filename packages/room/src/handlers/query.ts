/** Lambda entry point: getRoomById, getRoomAvailability and getRoomCommandOutcome (AppSync direct resolvers). */
import { ValidationError } from '@core/runtime';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createQueryHandler } from '@core/runtime/handlers';
import { roomDecider } from '../domain/room';
import { date, id } from '../api/commands';
import { toAvailability, toOutcomeView, toRoom } from '../api/views';

export const handler = createQueryHandler({
  reducer: roomDecider,
  queries: {
    getRoomById: async (args, read) => {
      const { state, version } = await read.load(id(args.id, 'id'));
      return toRoom(state, version);
    },
    getRoomAvailability: async (args, read) => {
      const roomId = id(args.roomId, 'roomId');
      const from = date(args.from, 'from');
      const to = date(args.to, 'to');
      if (to <= from) throw new ValidationError('INVALID_RANGE', `to (${to}) must be after from (${from})`, 'to');
      return toAvailability(roomId, (await read.load(roomId)).state, from, to);
    },
    getRoomCommandOutcome: async (args, read) =>
      toOutcomeView(await read.outcome(id(args.id, 'id'), id(args.commandId, 'commandId'))),
  },
  adapters: (config) => ({ store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }) }),
});
