/**
 * Lambda entry points: `handler` for what the bus rule delivers (a customer commit: store it, then
 * notify; or a renotify request), `deadLetterHandler` for the dead-letter queue's event source.
 */
import { createAppSyncNotifier } from '@core/runtime/appsync';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventHandlers } from '@core/runtime/handlers';
import { customerDecider } from '../domain/customer';
import { CUSTOMER_SAVED_MUTATION, toNotification } from '../api/views';

export const { handler, deadLetterHandler } = createEventHandlers({
  aggregate: 'customer',
  reducer: customerDecider,
  toNotification,
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
    notifier: createAppSyncNotifier({
      url: config.required('GRAPHQL_URL'),
      region: config.required('AWS_REGION'),
      mutation: CUSTOMER_SAVED_MUTATION,
    }),
  }),
});
