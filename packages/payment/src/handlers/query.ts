/** Lambda entry point: getPaymentAccountByCustomerId and getPaymentCommandOutcome (AppSync direct resolvers). */
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createQueryHandler } from '@core/runtime/handlers';
import { paymentDecider } from '../domain/payment';
import { accountIdOf, id } from '../api/commands';
import { toOutcomeView, toPaymentAccount } from '../api/views';

export const handler = createQueryHandler({
  reducer: paymentDecider,
  queries: {
    getPaymentAccountByCustomerId: async (args, read) => {
      const { state, version } = await read.load(accountIdOf(id(args.customerId, 'customerId')));
      return toPaymentAccount(state, version);
    },
    getPaymentCommandOutcome: async (args, read) =>
      toOutcomeView(await read.outcome(id(args.id, 'id'), id(args.commandId, 'commandId'))),
  },
  adapters: (config) => ({ store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }) }),
});
