/**
 * Turns the room's commands into decider commands, checking the input's form (a business rule is
 * the decider's job; this only refuses malformed input, as a `ValidationError`). `registerRoom` is
 * a field of the API; `holdRoom`, `confirmRoomHold` and `releaseRoomHold` are the reservation saga's
 * steps, invoked directly.
 */
import type { ConfirmRoomHoldInput, HoldRoomInput, RegisterRoomInput, ReleaseRoomHoldInput } from '@core/contracts';
import { preview, ValidationError, type DecideContext } from '@core/runtime';
import type { ParsedCommand } from '@core/runtime/handlers';
import type { RoomCommand } from '../domain/room';

const MAX_ID_LENGTH = 128;
const MAX_NAME_LENGTH = 200;

export function parseRoomCommand(
  fieldName: string,
  args: Record<string, unknown>,
  context: DecideContext,
): ParsedCommand<RoomCommand> {
  const input = objectArgument(args, 'input');
  switch (fieldName) {
    case 'registerRoom': {
      const { name, nightlyPrice, currency } = input as Partial<RegisterRoomInput>;
      const roomId = context.newId();
      return {
        streamId: roomId,
        command: {
          type: 'RegisterRoom',
          data: { roomId, name: text(name, 'name'), nightlyPrice: price(nightlyPrice), currency: code(currency) },
        },
      };
    }
    case 'holdRoom': {
      const { roomId, reservationId, dateStart, dateEnd } = input as Partial<HoldRoomInput>;
      const data = {
        roomId: id(roomId, 'roomId'),
        reservationId: id(reservationId, 'reservationId'),
        dateStart: date(dateStart, 'dateStart'),
        dateEnd: date(dateEnd, 'dateEnd'),
      };
      return { streamId: data.roomId, command: { type: 'HoldRoom', data } };
    }
    case 'confirmRoomHold':
    case 'releaseRoomHold': {
      const { roomId, reservationId } = input as Partial<ConfirmRoomHoldInput | ReleaseRoomHoldInput>;
      const data = { roomId: id(roomId, 'roomId'), reservationId: id(reservationId, 'reservationId') };
      const type = fieldName === 'confirmRoomHold' ? 'ConfirmRoomHold' : 'ReleaseRoomHold';
      return { streamId: data.roomId, command: { type, data } };
    }
    default:
      throw new ValidationError('UNKNOWN_COMMAND', `the room aggregate has no command ${fieldName}`);
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

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH)
    throw new ValidationError(
      'INVALID_NAME',
      `${field} must be a non-blank text of at most ${MAX_NAME_LENGTH} characters`,
      field,
    );
  return value.trim();
}

/** A nightly price: a positive whole number of minor units. */
function price(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    throw new ValidationError(
      'INVALID_PRICE',
      `nightlyPrice must be a positive whole number of minor units, got ${preview(value)}`,
      'nightlyPrice',
    );
  return value;
}

/** An ISO 4217 currency code: three capital letters. */
export function code(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value))
    throw new ValidationError(
      'INVALID_CURRENCY',
      `currency must be an ISO 4217 code, got ${preview(value)}`,
      'currency',
    );
  return value;
}

/** An AWSDate as AppSync accepts it, `YYYY-MM-DD`, and a real calendar day. */
export function date(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new ValidationError('INVALID_DATE', `${field} must be a date as YYYY-MM-DD, got ${preview(value)}`, field);
  }
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new ValidationError('INVALID_DATE', `${field} is not a calendar day: ${preview(value)}`, field);
  }
  return value;
}
