/**
 * Turns the GraphQL mutations into commands, checking the input's form (a business rule is the
 * decider's job; this only refuses malformed input, as a `ValidationError`).
 */
import type {
  CancelReservationInput,
  ConfirmReservationInput,
  CreateReservationInput,
  RejectReservationInput,
} from '@core/contracts';
import { preview, ValidationError, type DecideContext } from '@core/runtime';
import type { ParsedCommand } from '@core/runtime/handlers';
import { REJECTION_REASONS, type RejectionReason, type ReservationCommand } from '../domain/reservation';

const MAX_ID_LENGTH = 128;
const MAX_REASON_LENGTH = 500;

export function parseReservationCommand(
  fieldName: string,
  args: Record<string, unknown>,
  context: DecideContext,
): ParsedCommand<ReservationCommand> {
  switch (fieldName) {
    case 'createReservation': {
      const input = objectArgument(args, 'input') as Partial<CreateReservationInput>;
      const reservationId = context.newId();
      return {
        streamId: reservationId,
        command: {
          type: 'CreateReservation',
          data: {
            reservationId,
            userId: id(input.userId, 'userId'),
            roomId: id(input.roomId, 'roomId'),
            dateStart: date(input.dateStart, 'dateStart'),
            dateEnd: date(input.dateEnd, 'dateEnd'),
          },
        },
      };
    }
    case 'cancelReservation': {
      const input = objectArgument(args, 'input') as Partial<CancelReservationInput>;
      const reservationId = id(input.id, 'id');
      const reason = input.reason ?? null;
      if (reason !== null && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
        throw new ValidationError(
          'INVALID_REASON',
          `reason must be a text of at most ${MAX_REASON_LENGTH} characters`,
          'reason',
        );
      }
      return { streamId: reservationId, command: { type: 'CancelReservation', data: { reservationId, reason } } };
    }
    // The saga's steps (invoked directly, not fields of the API).
    case 'confirmReservation': {
      const input = objectArgument(args, 'input') as Partial<ConfirmReservationInput>;
      const reservationId = id(input.id, 'id');
      const { totalPrice, currency } = input;
      if (typeof totalPrice !== 'number' || !Number.isSafeInteger(totalPrice) || totalPrice < 0)
        throw new ValidationError('INVALID_AMOUNT', 'totalPrice must be a whole number of minor units', 'totalPrice');
      if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
        throw new ValidationError('INVALID_CURRENCY', 'currency must be an ISO 4217 code', 'currency');
      return {
        streamId: reservationId,
        command: { type: 'ConfirmReservation', data: { reservationId, totalPrice, currency } },
      };
    }
    case 'rejectReservation': {
      const input = objectArgument(args, 'input') as Partial<RejectReservationInput>;
      const reservationId = id(input.id, 'id');
      const reason = input.reason as RejectionReason;
      if (!REJECTION_REASONS.includes(reason))
        throw new ValidationError('INVALID_REASON', `reason must be one of ${REJECTION_REASONS.join(', ')}`, 'reason');
      return { streamId: reservationId, command: { type: 'RejectReservation', data: { reservationId, reason } } };
    }
    default:
      throw new ValidationError('UNKNOWN_COMMAND', `the reservation aggregate has no command ${fieldName}`);
  }
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

/** An AWSDate as AppSync accepts it, `YYYY-MM-DD`, and a real calendar day. */
function date(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new ValidationError('INVALID_DATE', `${field} must be a date as YYYY-MM-DD, got ${preview(value)}`, field);
  }
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new ValidationError('INVALID_DATE', `${field} is not a calendar day: ${preview(value)}`, field);
  }
  return value;
}
