/**
 * Turns the GraphQL mutations into commands, checking the input's form (a business rule is the
 * decider's job; this only refuses malformed input, as a `ValidationError`).
 */
import type { ChangeCustomerDetailsInput, DeactivateCustomerInput, RegisterCustomerInput } from '@core/contracts';
import { preview, ValidationError, type DecideContext } from '@core/runtime';
import type { ParsedCommand } from '@core/runtime/handlers';
import type { CreditLine, CustomerCommand } from '../domain/customer';

const MAX_ID_LENGTH = 128;
const MAX_NAME_LENGTH = 200;
const MAX_EMAIL_LENGTH = 254;

export function parseCustomerCommand(
  fieldName: string,
  args: Record<string, unknown>,
  context: DecideContext,
): ParsedCommand<CustomerCommand> {
  switch (fieldName) {
    case 'registerCustomer': {
      const input = objectArgument(args, 'input') as Partial<RegisterCustomerInput>;
      const customerId = context.newId();
      return {
        streamId: customerId,
        command: {
          type: 'RegisterCustomer',
          data: {
            customerId,
            email: email(input.email, 'email'),
            name: name(input.name, 'name'),
            creditLine: creditLine(input),
          },
        },
      };
    }
    case 'changeCustomerDetails': {
      const input = objectArgument(args, 'input') as Partial<ChangeCustomerDetailsInput>;
      const customerId = id(input.id, 'id');
      const data = {
        customerId,
        email: input.email === undefined || input.email === null ? null : email(input.email, 'email'),
        name: input.name === undefined || input.name === null ? null : name(input.name, 'name'),
      };
      if (data.email === null && data.name === null)
        throw new ValidationError('NOTHING_TO_CHANGE', 'give an email, a name or both', 'input');
      return { streamId: customerId, command: { type: 'ChangeCustomerDetails', data } };
    }
    case 'deactivateCustomer': {
      const input = objectArgument(args, 'input') as Partial<DeactivateCustomerInput>;
      const customerId = id(input.id, 'id');
      return { streamId: customerId, command: { type: 'DeactivateCustomer', data: { customerId } } };
    }
    default:
      throw new ValidationError('UNKNOWN_COMMAND', `the customer aggregate has no command ${fieldName}`);
  }
}

/** Both a credit limit (whole minor units) and an ISO 4217 currency, or neither. */
function creditLine(input: Partial<RegisterCustomerInput>): CreditLine | null {
  const { creditLimit, currency } = input;
  if ((creditLimit === undefined || creditLimit === null) && (currency === undefined || currency === null)) return null;
  if (typeof creditLimit !== 'number' || !Number.isSafeInteger(creditLimit) || creditLimit < 0)
    throw new ValidationError('INVALID_AMOUNT', 'creditLimit must be a whole number of minor units', 'creditLimit');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    throw new ValidationError(
      'INVALID_CURRENCY',
      `currency must be an ISO 4217 code, got ${preview(currency)}`,
      'currency',
    );
  return { creditLimit, currency };
}

function objectArgument(args: Record<string, unknown>, argument: string): Record<string, unknown> {
  const value = args[argument];
  if (typeof value !== 'object' || value === null)
    throw new ValidationError('MISSING_INPUT', `${argument} is required`, argument);
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

/** An AWSEmail as AppSync accepts it (checked again here: the handler may be invoked directly). */
function email(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
    throw new ValidationError('INVALID_EMAIL', `${field} must be an email address, got ${preview(value)}`, field);
  return value;
}

function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH)
    throw new ValidationError(
      'INVALID_NAME',
      `${field} must be a non-blank text of at most ${MAX_NAME_LENGTH} characters`,
      field,
    );
  return value.trim();
}
