/** The customer aggregate's CDK construct. Kept apart from the domain so Lambda bundles never load aws-cdk-lib. */
export { CUSTOMER_EVENT_SOURCE, CustomerAggregate, type CustomerAggregateProps } from './infra/customer-aggregate';
