/**
 * Lambda entry points: `handler` for what the bus rule delivers (a reservation commit: store it with
 * its read model item, notify, and report a saga step's outcome to its task; or a renotify request),
 * `deadLetterHandler` for the dead-letter queue's event source.
 */
import { createAppSyncNotifier } from '@core/runtime/appsync';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import { createEventHandlers } from '@core/runtime/handlers';
import { createStepFunctionsReporter } from '@core/runtime/stepfunctions';
import { reservationDecider } from '../domain/reservation';
import { RESERVATION_SAVED_MUTATION, toNotification } from '../api/views';
import { projectReservations } from '../read-model/reservations-by-user';

export const { handler, deadLetterHandler } = createEventHandlers({
  aggregate: 'reservation',
  reducer: reservationDecider,
  toNotification,
  adapters: (config) => ({
    store: createDynamoDbEventStore({
      tableName: config.required('EVENTS_TABLE_NAME'),
      project: projectReservations(config.required('READ_MODEL_TABLE_NAME')),
    }),
    notifier: createAppSyncNotifier({
      url: config.required('GRAPHQL_URL'),
      region: config.required('AWS_REGION'),
      mutation: RESERVATION_SAVED_MUTATION,
    }),
    tasks: createStepFunctionsReporter({ region: config.required('AWS_REGION') }),
  }),
});
