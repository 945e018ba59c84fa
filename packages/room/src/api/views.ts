/** How the room appears in the API: the query results and the notification. */
import type { Room, RoomAvailability, RoomHold, RoomNotificationInput } from '@core/contracts';
import type { CommandOutcome, FinalOutcome } from '@core/runtime';
import { isAvailable, type RoomState } from '../domain/room';

export function toRoom(state: RoomState, version: number): Room | null {
  if (state.status === 'NONE') return null;
  const { roomId, name, nightlyPrice, currency } = state;
  return { id: roomId, name, nightlyPrice, currency, version };
}

export function toAvailability(roomId: string, state: RoomState, from: string, to: string): RoomAvailability {
  return { roomId, from, to, available: isAvailable(state, from, to) };
}

function toHold(state: RoomState): RoomHold | null {
  return state.status === 'NONE' || state.lastHold === null ? null : { ...state.lastHold };
}

/**
 * A command's outcome as the API shows it: the `roomSaved` notification's input (always final), the
 * `getRoomCommandOutcome` answer (possibly PENDING) and a saga step's output have the same fields.
 */
export function toOutcomeView(outcome: CommandOutcome<RoomState>): RoomNotificationInput {
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
        room: toRoom(outcome.state, outcome.version),
        hold: toHold(outcome.state),
        error: null,
      };
    case 'REJECTED':
      return { ...address, status: 'REJECTED', version: null, room: null, hold: null, error: outcome.error };
    case 'PENDING':
      return { ...address, status: 'PENDING', version: null, room: null, hold: null, error: null };
    default: {
      const unhandled: never = outcome;
      return unhandled;
    }
  }
}

/** The `roomSaved` mutation's variables for a command's final outcome. */
export function toNotification(outcome: FinalOutcome<RoomState>): { input: RoomNotificationInput } {
  return { input: toOutcomeView(outcome) };
}

/** The notification mutation the event handler calls; it selects every field a subscriber may ask for. */
export const ROOM_SAVED_MUTATION = `mutation RoomSaved($input: RoomNotificationInput!) {
  roomSaved(input: $input) {
    id
    commandId
    fingerprint
    replyTo
    status
    version
    room { id name nightlyPrice currency version }
    hold { reservationId dateStart dateEnd status totalPrice currency }
    error { code message }
  }
}`;
