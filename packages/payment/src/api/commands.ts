/**
 * Turns the payment's commands into decider commands, checking the input's form (a business rule is
 * the decider's job; this only refuses malformed input, as a `ValidationError`). `openPaymentAccount`
 * is a field of the API; authorize, capture, refund and void are the reservation saga's steps,
 * invoked directly. Every command names the customer: the account's id is derived from it, so a
 * customer has one account at most (two racing openings target one stream: one is stored).
 */
import type {
  AuthorizePaymentInput,
  CapturePaymentInput,
  OpenPaymentAccountInput,
  RefundPaymentInput,
} from '@core/contracts';
import { preview, ValidationError } from '@core/runtime';
import type { ParsedCommand } from '@core/runtime/handlers';
import type { PaymentCommand } from '../domain/payment';

const MAX_ID_LENGTH = 128;

/** The id of a customer's payment account, as the schema documents it (other aggregates derive it too). */
export function accountIdOf(customerId: string): string {
  return `account-${customerId}`;
}

export function parsePaymentCommand(fieldName: string, args: Record<string, unknown>): ParsedCommand<PaymentCommand> {
  const input = objectArgument(args, 'input') as Partial<OpenPaymentAccountInput & AuthorizePaymentInput>;
  const customerId = id(input.customerId, 'customerId');
  const accountId = accountIdOf(customerId);
  const command = ((): PaymentCommand => {
    switch (fieldName) {
      case 'openPaymentAccount':
        return {
          type: 'OpenPaymentAccount',
          data: {
            accountId,
            customerId,
            creditLimit: amount(input.creditLimit, 'creditLimit', 0),
            currency: currency(input.currency),
          },
        };
      case 'authorizePayment':
        return {
          type: 'AuthorizePayment',
          data: {
            ...authorization(accountId, input),
            amount: amount(input.amount, 'amount'),
            currency: currency(input.currency),
          },
        };
      case 'capturePayment':
      case 'refundPayment': {
        const given = (input as Partial<CapturePaymentInput | RefundPaymentInput>).amount;
        const data = {
          ...authorization(accountId, input),
          amount: given === undefined || given === null ? null : amount(given, 'amount'),
        };
        return fieldName === 'capturePayment' ? { type: 'CapturePayment', data } : { type: 'RefundPayment', data };
      }
      case 'voidPaymentAuthorization':
        return { type: 'VoidPaymentAuthorization', data: authorization(accountId, input) };
      default:
        throw new ValidationError('UNKNOWN_COMMAND', `the payment aggregate has no command ${fieldName}`);
    }
  })();
  return { streamId: accountId, command };
}

function authorization(accountId: string, input: { authorizationId?: unknown }) {
  return { accountId, authorizationId: id(input.authorizationId, 'authorizationId') };
}

function objectArgument(args: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = args[name];
  if (typeof value !== 'object' || value === null)
    throw new ValidationError('MISSING_INPUT', `${name} is required`, name);
  return value as Record<string, unknown>;
}

/** An id argument: a non-empty text of at most 128 characters. */
export function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_ID_LENGTH) {
    throw new ValidationError(
      'INVALID_ID',
      `${field} must be a non-empty id of at most ${MAX_ID_LENGTH} characters`,
      field,
    );
  }
  return value;
}

/** A whole number of minor units, at least `min` (1). */
function amount(value: unknown, field: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new ValidationError(
      'INVALID_AMOUNT',
      `${field} must be a whole number of minor units of at least ${min}, got ${preview(value)}`,
      field,
    );
  return value;
}

/** An ISO 4217 currency code: three capital letters. */
function currency(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value))
    throw new ValidationError(
      'INVALID_CURRENCY',
      `currency must be an ISO 4217 code, got ${preview(value)}`,
      'currency',
    );
  return value;
}
