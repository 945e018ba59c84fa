/**
 * Lambda entry points: `handler` for what the bus rule delivers (a payment commit: store it, notify, and
 * report a saga step's outcome to its task; or a renotify request), `deadLetterHandler` for the
 * dead-letter queue's event source.
 */
import { createAppSyncNotifier } from '@core/runtime/appsync';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventHandlers } from '@core/runtime/handlers';
import { createStepFunctionsReporter } from '@core/runtime/stepfunctions';
import { paymentDecider } from '../domain/payment';
import { PAYMENT_SAVED_MUTATION, toNotification } from '../api/views';

export const { handler, deadLetterHandler } = createEventHandlers({
  aggregate: 'payment',
  reducer: paymentDecider,
  toNotification,
  adapters: (config) => ({
    store: createDynamoDbEventStore({ tableName: config.required('EVENTS_TABLE_NAME') }),
    notifier: createAppSyncNotifier({
      url: config.required('GRAPHQL_URL'),
      region: config.required('AWS_REGION'),
      mutation: PAYMENT_SAVED_MUTATION,
    }),
    tasks: createStepFunctionsReporter({ region: config.required('AWS_REGION') }),
  }),
});
