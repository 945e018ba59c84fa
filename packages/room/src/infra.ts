/** The room aggregate's CDK construct. Kept apart from the domain so Lambda bundles never load aws-cdk-lib. */
export { ROOM_EVENT_SOURCE, RoomAggregate, type RoomAggregateProps } from './infra/room-aggregate';
