/** The reservation aggregate's CDK construct. Kept apart from the domain so Lambda bundles never load aws-cdk-lib. */
export {
  RESERVATION_EVENT_SOURCE,
  ReservationAggregate,
  type ReservationAggregateProps,
} from './infra/reservation-aggregate';
