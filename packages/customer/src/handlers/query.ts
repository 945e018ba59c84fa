/** Lambda entry point: getCustomerById and getCustomerCommandOutcome (AppSync direct resolvers). */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createQueryHandler } from '@core/runtime/handlers';
import { customerDecider } from '../domain/customer';
import { id } from '../api/commands';
import { toOutcomeView, toCustomer } from '../api/views';

export const handler = createQueryHandler({
  reducer: customerDecider,
  queries: {
    getCustomerById: async (args, read) => {
      const { state, version } = await read.load(id(args.id, 'id'));
      return toCustomer(state, version);
    },
    getCustomerCommandOutcome: async (args, read) =>
      toOutcomeView(await read.outcome(id(args.id, 'id'), id(args.commandId, 'commandId'))),
  },
  adapters: (config) => ({ store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }) }),
});
