/**
 * External events: a registration with a credit line also opens the customer's payment account.
 * The customer decides it (a new customer has no account yet: its stream is at version 0); the
 * payment aggregate's event handler stores the event, published as an ExternalCommit. The account's
 * id follows the payment schema's rule (`account-<customerId>`); its event type comes from
 * @core/contracts, as every cross-aggregate type does.
 */
import type { PaymentAccountOpened } from '@core/contracts';
import type { ExternalEvents } from '@core/runtime/handlers';
import type { CustomerCommand } from '../domain/customer';

export function paymentAccountOpenings(command: CustomerCommand): ExternalEvents[] {
  if (command.type !== 'RegisterCustomer' || command.data.creditLine === null) return [];
  const { customerId, creditLine } = command.data;
  const opened: PaymentAccountOpened = { accountId: `account-${customerId}`, customerId, ...creditLine };
  return [
    {
      aggregate: 'payment',
      streamId: opened.accountId,
      expectedVersion: 0,
      events: [{ type: 'PaymentAccountOpened', data: opened }],
    },
  ];
}
