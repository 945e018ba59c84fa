/** The payment aggregate's domain. Its CDK construct is in `@core/payment/infra`. */
export { accountIdOf, parsePaymentCommand } from './api/commands';
export {
  paymentDecider,
  totals,
  type Authorization,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
} from './domain/payment';
export { PAYMENT_SAVED_MUTATION, toNotification, toOutcomeView, toPaymentAccount } from './api/views';
