/** The payment aggregate's CDK construct. Kept apart from the domain so Lambda bundles never load aws-cdk-lib. */
export { PAYMENT_EVENT_SOURCE, PaymentAggregate, type PaymentAggregateProps } from './infra/payment-aggregate';
