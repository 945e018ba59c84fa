/** How the customer appears in the API: the query result and the notification. */
import type { Customer, CustomerNotificationInput } from '@core/contracts';
import type { CommandOutcome, FinalOutcome } from '@core/runtime';
import type { CustomerState } from '../domain/customer';

export function toCustomer(state: CustomerState, version: number): Customer | null {
  if (state.status === 'NONE') return null;
  return { id: state.customerId, email: state.email, name: state.name, status: state.status, version };
}

/**
 * A command's outcome as the API shows it: the `customerSaved` notification's input (always final)
 * and the `getCustomerCommandOutcome` answer (possibly PENDING) have the same fields.
 */
export function toOutcomeView(outcome: CommandOutcome<CustomerState>): CustomerNotificationInput {
  const address = {
    id: outcome.streamId,
    commandId: outcome.commandId,
    fingerprint: outcome.fingerprint ?? null,
    replyTo: outcome.replyTo ?? null,
  };
  switch (outcome.status) {
    case 'STORED':
      return {
        ...address,
        status: 'STORED',
        version: outcome.version,
        customer: toCustomer(outcome.state, outcome.version),
        error: null,
      };
    case 'REJECTED':
      return { ...address, status: 'REJECTED', version: null, customer: null, error: outcome.error };
    case 'PENDING':
      return { ...address, status: 'PENDING', version: null, customer: null, error: null };
    default: {
      const unhandled: never = outcome;
      return unhandled;
    }
  }
}

/** The `customerSaved` mutation's variables for a command's final outcome. */
export function toNotification(outcome: FinalOutcome<CustomerState>): { input: CustomerNotificationInput } {
  return { input: toOutcomeView(outcome) };
}

/** The notification mutation the event handler calls; it selects every field a subscriber may ask for. */
export const CUSTOMER_SAVED_MUTATION = `mutation CustomerSaved($input: CustomerNotificationInput!) {
  customerSaved(input: $input) {
    id
    commandId
    fingerprint
    replyTo
    status
    version
    customer { id email name status version }
    error { code message }
  }
}`;
