/**
 * The payment aggregate's behaviour: a ledger, one per customer. Authorizations reserve credit,
 * captures take (at most) what was authorized, refunds give back (at most) what was captured, and a
 * void (a saga's compensation) drops an open authorization. Pure: no I/O, no AWS types.
 *
 * available = creditLimit − open authorizations − captured + refunded
 */
import type {
  PaymentAccountOpened,
  PaymentAuthorizationVoided,
  PaymentAuthorized,
  PaymentCaptured,
  PaymentRefunded,
} from '@core/contracts';
import { BusinessRuleViolationError, type Decider } from '@core/runtime';

interface AuthorizationRef {
  readonly accountId: string;
  readonly authorizationId: string;
}

export type PaymentCommand =
  | { readonly type: 'OpenPaymentAccount'; readonly data: PaymentAccountOpened }
  | {
      readonly type: 'AuthorizePayment';
      readonly data: AuthorizationRef & { readonly amount: number; readonly currency: string };
    }
  | { readonly type: 'CapturePayment'; readonly data: AuthorizationRef & { readonly amount: number | null } }
  | { readonly type: 'RefundPayment'; readonly data: AuthorizationRef & { readonly amount: number | null } }
  | { readonly type: 'VoidPaymentAuthorization'; readonly data: AuthorizationRef };

export type PaymentEvent =
  | { readonly type: 'PaymentAccountOpened'; readonly data: PaymentAccountOpened }
  | { readonly type: 'PaymentAuthorized'; readonly data: PaymentAuthorized }
  | { readonly type: 'PaymentCaptured'; readonly data: PaymentCaptured }
  | { readonly type: 'PaymentRefunded'; readonly data: PaymentRefunded }
  | { readonly type: 'PaymentAuthorizationVoided'; readonly data: PaymentAuthorizationVoided };

export interface Authorization {
  readonly amount: number;
  readonly status: 'OPEN' | 'CAPTURED' | 'VOIDED';
  readonly captured: number;
  readonly refunded: number;
}

export type PaymentState =
  | { readonly status: 'NONE' }
  | {
      readonly status: 'OPEN';
      readonly accountId: string;
      readonly customerId: string;
      readonly creditLimit: number;
      readonly currency: string;
      readonly authorizations: Readonly<Record<string, Authorization>>;
    };

type OpenAccount = Extract<PaymentState, { status: 'OPEN' }>;

/** The account's totals, as the API shows them. */
export function totals(account: OpenAccount) {
  const all = Object.values(account.authorizations);
  const sum = (pick: (a: Authorization) => number) => all.reduce((total, each) => total + pick(each), 0);
  const authorized = sum((a) => (a.status === 'OPEN' ? a.amount : 0));
  const captured = sum((a) => a.captured);
  const refunded = sum((a) => a.refunded);
  return { authorized, captured, refunded, available: account.creditLimit - authorized - captured + refunded };
}

function decide(command: PaymentCommand, state: PaymentState): PaymentEvent[] {
  if (command.type === 'OpenPaymentAccount') {
    if (state.status !== 'NONE')
      throw new BusinessRuleViolationError(
        'PAYMENT_ACCOUNT_EXISTS',
        `customer ${command.data.customerId} has a payment account`,
      );
    return [{ type: 'PaymentAccountOpened', data: command.data }];
  }
  const account = openAccount(state, command.data.accountId);
  const { accountId, authorizationId } = command.data;
  switch (command.type) {
    case 'AuthorizePayment':
      return [{ type: 'PaymentAuthorized', data: authorize(account, command.data) }];
    case 'CapturePayment': {
      const authorization = authorizationOf(account, authorizationId, 'OPEN');
      const amount = command.data.amount ?? authorization.amount;
      if (amount < 1 || amount > authorization.amount)
        throw new BusinessRuleViolationError(
          'CAPTURE_EXCEEDS_AUTHORIZATION',
          `${authorizationId} authorized ${authorization.amount}; cannot capture ${amount}`,
        );
      return [{ type: 'PaymentCaptured', data: { accountId, authorizationId, amount } }];
    }
    case 'RefundPayment': {
      const authorization = authorizationOf(account, authorizationId, 'CAPTURED');
      const refundable = authorization.captured - authorization.refunded;
      const amount = command.data.amount ?? refundable;
      if (amount < 1 || amount > refundable)
        throw new BusinessRuleViolationError(
          'REFUND_EXCEEDS_CAPTURE',
          `${authorizationId} has ${refundable} left to refund; cannot refund ${amount}`,
        );
      return [{ type: 'PaymentRefunded', data: { accountId, authorizationId, amount } }];
    }
    case 'VoidPaymentAuthorization': {
      const authorization = authorizationOf(account, authorizationId, 'OPEN');
      return [
        { type: 'PaymentAuthorizationVoided', data: { accountId, authorizationId, amount: authorization.amount } },
      ];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function authorize(
  account: OpenAccount,
  data: AuthorizationRef & { readonly amount: number; readonly currency: string },
): PaymentAuthorized {
  if (account.authorizations[data.authorizationId] !== undefined)
    throw new BusinessRuleViolationError('AUTHORIZATION_EXISTS', `${data.authorizationId} is authorized already`);
  if (data.currency !== account.currency)
    throw new BusinessRuleViolationError(
      'CURRENCY_MISMATCH',
      `the account is in ${account.currency}, the payment in ${data.currency}`,
    );
  const { available } = totals(account);
  if (data.amount > available)
    throw new BusinessRuleViolationError(
      'CREDIT_LIMIT_EXCEEDED',
      `${data.amount} is more than the ${available} available`,
    );
  return { accountId: data.accountId, authorizationId: data.authorizationId, amount: data.amount };
}

function openAccount(state: PaymentState, accountId: string): OpenAccount {
  if (state.status === 'NONE')
    throw new BusinessRuleViolationError('PAYMENT_ACCOUNT_NOT_FOUND', `there is no payment account ${accountId}`);
  return state;
}

function authorizationOf(account: OpenAccount, id: string, status: Authorization['status']): Authorization {
  const authorization = account.authorizations[id];
  if (authorization === undefined)
    throw new BusinessRuleViolationError('AUTHORIZATION_NOT_FOUND', `there is no authorization ${id}`);
  if (authorization.status !== status)
    throw new BusinessRuleViolationError(
      `AUTHORIZATION_${authorization.status}` as const,
      `authorization ${id} is ${authorization.status.toLowerCase()}`,
    );
  return authorization;
}

function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  if (event.type === 'PaymentAccountOpened') return { status: 'OPEN', ...event.data, authorizations: {} };
  if (state.status === 'NONE') return state;
  const id = event.data.authorizationId;
  const current = state.authorizations[id] ?? { amount: 0, status: 'OPEN' as const, captured: 0, refunded: 0 };
  const next = ((): Authorization => {
    switch (event.type) {
      case 'PaymentAuthorized':
        return { amount: event.data.amount, status: 'OPEN', captured: 0, refunded: 0 };
      case 'PaymentCaptured':
        return { ...current, status: 'CAPTURED', captured: current.captured + event.data.amount };
      case 'PaymentRefunded':
        return { ...current, refunded: current.refunded + event.data.amount };
      case 'PaymentAuthorizationVoided':
        return { ...current, status: 'VOIDED' };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  })();
  return { ...state, authorizations: { ...state.authorizations, [id]: next } };
}

/** The payment decider. Bump `reducerVersion` whenever `evolve` or the state's shape changes. */
export const paymentDecider: Decider<PaymentCommand, PaymentEvent, PaymentState> = {
  initialState: { status: 'NONE' },
  decide,
  evolve,
  reducerVersion: 1,
};
