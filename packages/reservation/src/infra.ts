/** The reservation aggregate's CDK construct. Kept apart from the domain so Lambda bundles never load aws-cdk-lib. */
export {
  RESERVATION_EVENT_SOURCE,
  ReservationAggregate,
  type ReservationAggregateProps,
} from './infra/reservation-aggregate';
export {
  ReservationSaga,
  SAGA_EVENT_TYPES,
  type ReservationSagaProps,
  type SagaParticipant,
} from './infra/reservation-saga';
