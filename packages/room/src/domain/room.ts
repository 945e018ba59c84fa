/**
 * The room aggregate's behaviour: a resource with capacity over time. A room's nights are held for
 * one reservation at a time (no overlap with another hold or booking), then booked (the hold is
 * confirmed) or released. Pure: no I/O, no AWS types. Every hold lives in the room's one stream, so
 * two sagas holding the same nights are ordered by the stream's version: one holds, the other is
 * decided again on the new state and refused.
 */
import type { RoomHeld, RoomHoldConfirmed, RoomHoldReleased, RoomRegistered } from '@core/contracts';
import { BusinessRuleViolationError, type Decider } from '@core/runtime';

export type RoomCommand =
  | { readonly type: 'RegisterRoom'; readonly data: RoomRegistered }
  | {
      readonly type: 'HoldRoom';
      readonly data: {
        readonly roomId: string;
        readonly reservationId: string;
        readonly dateStart: string;
        readonly dateEnd: string;
      };
    }
  | { readonly type: 'ConfirmRoomHold'; readonly data: RoomHoldConfirmed }
  | { readonly type: 'ReleaseRoomHold'; readonly data: RoomHoldReleased };

export type RoomEvent =
  | { readonly type: 'RoomRegistered'; readonly data: RoomRegistered }
  | { readonly type: 'RoomHeld'; readonly data: RoomHeld }
  | { readonly type: 'RoomHoldConfirmed'; readonly data: RoomHoldConfirmed }
  | { readonly type: 'RoomHoldReleased'; readonly data: RoomHoldReleased };

export interface Hold {
  readonly reservationId: string;
  readonly dateStart: string;
  readonly dateEnd: string;
  readonly status: 'HELD' | 'BOOKED';
  readonly totalPrice: number;
  readonly currency: string;
}

export type RoomState =
  | { readonly status: 'NONE' }
  | {
      readonly status: 'REGISTERED';
      readonly roomId: string;
      readonly name: string;
      readonly nightlyPrice: number;
      readonly currency: string;
      /** Held and booked nights, oldest first. Released holds are removed. */
      readonly holds: readonly Hold[];
      /** The hold the last command placed, confirmed or released (its state after it), for the notification. */
      readonly lastHold: Hold | null;
    };

/** Whole days from `from` to `to`, both `YYYY-MM-DD` (UTC calendar days). */
export function nightsBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Whether [from, to) shares a night with a hold: ISO dates compare as text. */
export function overlaps(hold: Pick<Hold, 'dateStart' | 'dateEnd'>, from: string, to: string): boolean {
  return hold.dateStart < to && from < hold.dateEnd;
}

function decide(command: RoomCommand, state: RoomState): RoomEvent[] {
  switch (command.type) {
    case 'RegisterRoom':
      if (state.status !== 'NONE')
        throw new BusinessRuleViolationError('ROOM_ALREADY_EXISTS', `room ${command.data.roomId} already exists`);
      return [{ type: 'RoomRegistered', data: command.data }];
    case 'HoldRoom': {
      const room = registered(state, command.data.roomId);
      const { dateStart, dateEnd } = command.data;
      const nights = nightsBetween(dateStart, dateEnd);
      if (nights < 1)
        throw new BusinessRuleViolationError(
          'DATE_END_NOT_AFTER_START',
          `dateEnd (${dateEnd}) must be after dateStart`,
        );
      const taken = room.holds.find((hold) => overlaps(hold, dateStart, dateEnd));
      if (taken?.reservationId === command.data.reservationId)
        throw new BusinessRuleViolationError('ALREADY_HELD', `room ${room.roomId} is held for ${taken.reservationId}`);
      if (taken !== undefined)
        throw new BusinessRuleViolationError(
          'NIGHTS_UNAVAILABLE',
          `room ${room.roomId} is ${taken.status === 'BOOKED' ? 'booked' : 'held'} from ${taken.dateStart} to ${taken.dateEnd}`,
        );
      const held: RoomHeld = {
        ...command.data,
        totalPrice: nights * room.nightlyPrice,
        currency: room.currency,
      };
      return [{ type: 'RoomHeld', data: held }];
    }
    case 'ConfirmRoomHold': {
      const hold = holdOf(registered(state, command.data.roomId), command.data.reservationId);
      if (hold.status === 'BOOKED')
        throw new BusinessRuleViolationError('HOLD_ALREADY_CONFIRMED', `the hold of ${hold.reservationId} is booked`);
      return [{ type: 'RoomHoldConfirmed', data: command.data }];
    }
    case 'ReleaseRoomHold':
      holdOf(registered(state, command.data.roomId), command.data.reservationId);
      return [{ type: 'RoomHoldReleased', data: command.data }];
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function registered(state: RoomState, roomId: string) {
  if (state.status === 'NONE') throw new BusinessRuleViolationError('ROOM_NOT_FOUND', `there is no room ${roomId}`);
  return state;
}

function holdOf(room: Extract<RoomState, { status: 'REGISTERED' }>, reservationId: string): Hold {
  const hold = room.holds.find((each) => each.reservationId === reservationId);
  if (hold === undefined)
    throw new BusinessRuleViolationError('HOLD_NOT_FOUND', `room ${room.roomId} holds nothing for ${reservationId}`);
  return hold;
}

function evolve(state: RoomState, event: RoomEvent): RoomState {
  if (event.type === 'RoomRegistered') return { status: 'REGISTERED', ...event.data, holds: [], lastHold: null };
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'RoomHeld': {
      const { reservationId, dateStart, dateEnd, totalPrice, currency } = event.data;
      const hold: Hold = { reservationId, dateStart, dateEnd, status: 'HELD', totalPrice, currency };
      return { ...state, holds: [...state.holds, hold], lastHold: hold };
    }
    case 'RoomHoldConfirmed': {
      const holds = state.holds.map((hold) =>
        hold.reservationId === event.data.reservationId ? { ...hold, status: 'BOOKED' as const } : hold,
      );
      return { ...state, holds, lastHold: holds.find((h) => h.reservationId === event.data.reservationId) ?? null };
    }
    case 'RoomHoldReleased':
      return {
        ...state,
        holds: state.holds.filter((hold) => hold.reservationId !== event.data.reservationId),
        lastHold: state.holds.find((hold) => hold.reservationId === event.data.reservationId) ?? null,
      };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Whether no night in [from, to) is held or booked (false for an unknown room). */
export function isAvailable(state: RoomState, from: string, to: string): boolean {
  return state.status === 'REGISTERED' && !state.holds.some((hold) => overlaps(hold, from, to));
}

/** The room decider. Bump `reducerVersion` whenever `evolve` or the state's shape changes. */
export const roomDecider: Decider<RoomCommand, RoomEvent, RoomState> = {
  initialState: { status: 'NONE' },
  decide,
  evolve,
  reducerVersion: 1,
};
