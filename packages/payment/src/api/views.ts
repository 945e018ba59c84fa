/** How the payment account appears in the API: the query result and the notification. */
import type { PaymentAccount, PaymentNotificationInput } from '@core/contracts';
import type { CommandOutcome, FinalOutcome } from '@core/runtime';
import { totals, type PaymentState } from '../domain/payment';

export function toPaymentAccount(state: PaymentState, version: number): PaymentAccount | null {
  if (state.status === 'NONE') return null;
  const { accountId, customerId, creditLimit, currency } = state;
  return { id: accountId, customerId, creditLimit, currency, ...totals(state), version };
}

/**
 * A command's outcome as the API shows it: the `paymentSaved` notification's input (always final), the
 * `getPaymentCommandOutcome` answer (possibly PENDING) and a saga step's output have the same fields.
 */
export function toOutcomeView(outcome: CommandOutcome<PaymentState>): PaymentNotificationInput {
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
        account: toPaymentAccount(outcome.state, outcome.version),
        error: null,
      };
    case 'REJECTED':
      return { ...address, status: 'REJECTED', version: null, account: null, error: outcome.error };
    case 'PENDING':
      return { ...address, status: 'PENDING', version: null, account: null, error: null };
    default: {
      const unhandled: never = outcome;
      return unhandled;
    }
  }
}

/** The `paymentSaved` mutation's variables for a command's final outcome. */
export function toNotification(outcome: FinalOutcome<PaymentState>): { input: PaymentNotificationInput } {
  return { input: toOutcomeView(outcome) };
}

/** The notification mutation the event handler calls; it selects every field a subscriber may ask for. */
export const PAYMENT_SAVED_MUTATION = `mutation PaymentSaved($input: PaymentNotificationInput!) {
  paymentSaved(input: $input) {
    id
    commandId
    fingerprint
    replyTo
    status
    version
    account { id customerId creditLimit currency authorized captured refunded available version }
    error { code message }
  }
}`;
