/** Lambda entry point: a reservation commit delivered by the bus rule; store it, then notify. */
import { createAppSyncNotifier } from '@core/runtime/appsync';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventHandler } from '@core/runtime/handlers';
import { reservationDecider } from '../domain/reservation';
import { RESERVATION_SAVED_MUTATION, toNotification } from '../api/views';

export const handler = createEventHandler({
  reducer: reservationDecider,
  toNotification,
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
    notifier: createAppSyncNotifier({
      url: config.required('GRAPHQL_URL'),
      region: config.required('AWS_REGION'),
      mutation: RESERVATION_SAVED_MUTATION,
    }),
  }),
});
