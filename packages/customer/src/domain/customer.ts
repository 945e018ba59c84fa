/**
 * The customer aggregate's behaviour: an entity's life cycle (registered, details changed,
 * deactivated). Pure: no I/O, no AWS types. An active customer's email is a unique key: the event
 * store lets one customer at most hold it (see `uniqueKeys`), also when two registrations race.
 */
import type { CustomerDeactivated, CustomerDetailsChanged, CustomerRegistered } from '@core/contracts';
import { BusinessRuleViolationError, type Decider, type UniqueKey } from '@core/runtime';

/** A credit line to open the customer's payment account with, at registration. */
export interface CreditLine {
  readonly creditLimit: number;
  readonly currency: string;
}

export type CustomerCommand =
  | {
      readonly type: 'RegisterCustomer';
      readonly data: CustomerRegistered & { readonly creditLine: CreditLine | null };
    }
  | {
      readonly type: 'ChangeCustomerDetails';
      readonly data: { readonly customerId: string; readonly email: string | null; readonly name: string | null };
    }
  | { readonly type: 'DeactivateCustomer'; readonly data: CustomerDeactivated };

export type CustomerEvent =
  | { readonly type: 'CustomerRegistered'; readonly data: CustomerRegistered }
  | { readonly type: 'CustomerDetailsChanged'; readonly data: CustomerDetailsChanged }
  | { readonly type: 'CustomerDeactivated'; readonly data: CustomerDeactivated };

export type CustomerStatus = 'ACTIVE' | 'DEACTIVATED';

export type CustomerState =
  | { readonly status: 'NONE' }
  | {
      readonly status: CustomerStatus;
      readonly customerId: string;
      readonly email: string;
      readonly name: string;
    };

/** The unique key of an email: compared without regard to case. */
export function emailKey(email: string): string {
  return `email:${email.toLowerCase()}`;
}

function decide(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  switch (command.type) {
    case 'RegisterCustomer':
      if (state.status !== 'NONE')
        throw new BusinessRuleViolationError(
          'CUSTOMER_ALREADY_EXISTS',
          `customer ${command.data.customerId} already exists`,
        );
      return [
        {
          type: 'CustomerRegistered',
          data: { customerId: command.data.customerId, email: command.data.email, name: command.data.name },
        },
      ];
    case 'ChangeCustomerDetails': {
      const active = activeCustomer(state, command.data.customerId);
      const email = command.data.email ?? active.email;
      const name = command.data.name ?? active.name;
      if (email === active.email && name === active.name)
        throw new BusinessRuleViolationError('NOTHING_CHANGED', 'the details are the customer’s already');
      return [{ type: 'CustomerDetailsChanged', data: { customerId: active.customerId, email, name } }];
    }
    case 'DeactivateCustomer':
      activeCustomer(state, command.data.customerId);
      return [{ type: 'CustomerDeactivated', data: command.data }];
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function activeCustomer(state: CustomerState, customerId: string) {
  if (state.status === 'NONE')
    throw new BusinessRuleViolationError('CUSTOMER_NOT_FOUND', `there is no customer ${customerId}`);
  if (state.status === 'DEACTIVATED')
    throw new BusinessRuleViolationError('CUSTOMER_DEACTIVATED', `customer ${customerId} is deactivated`);
  return state;
}

function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered':
      return { status: 'ACTIVE', ...event.data };
    case 'CustomerDetailsChanged':
      return state.status === 'NONE' ? state : { ...state, email: event.data.email, name: event.data.name };
    case 'CustomerDeactivated':
      return state.status === 'NONE' ? state : { ...state, status: 'DEACTIVATED' };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** An active customer holds its email; a deactivated one gives it up. */
function uniqueKeys(state: CustomerState): UniqueKey[] {
  return state.status === 'ACTIVE' ? [{ key: emailKey(state.email), code: 'EMAIL_ALREADY_REGISTERED' }] : [];
}

/** The customer decider. Bump `reducerVersion` whenever `evolve` or the state's shape changes. */
export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState> = {
  initialState: { status: 'NONE' },
  decide,
  evolve,
  reducerVersion: 1,
  uniqueKeys,
};
