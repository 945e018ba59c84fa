/** The customer aggregate's domain. Its CDK construct is in `@core/customer/infra`. */
export { parseCustomerCommand } from './api/commands';
export {
  customerDecider,
  emailKey,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerState,
  type CustomerStatus,
} from './domain/customer';
export { CUSTOMER_SAVED_MUTATION, toNotification, toOutcomeView, toCustomer } from './api/views';
