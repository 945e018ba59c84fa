/** How the reservation appears in the API: the query result and the notification. */
import type { Reservation, ReservationNotificationInput } from '@core/contracts';
import type { CommitOutcome } from '@core/runtime';
import type { ReservationState } from '../domain/reservation';

export function toReservation(state: ReservationState, version: number): Reservation | null {
  if (state.status === 'NONE') return null;
  return {
    id: state.reservationId,
    userId: state.userId,
    roomId: state.roomId,
    dateStart: state.dateStart,
    dateEnd: state.dateEnd,
    status: state.status,
    version,
    cancellationReason: state.cancellationReason,
  };
}

/** The `reservationSaved` mutation's variables for a commit's outcome. */
export function toNotification(outcome: CommitOutcome<ReservationState>): { input: ReservationNotificationInput } {
  const { streamId: id, commitId: commandId } = outcome.commit;
  if (outcome.status === 'STORED') {
    return {
      input: {
        id,
        commandId,
        status: 'STORED',
        version: outcome.version,
        reservation: toReservation(outcome.state, outcome.version),
        error: null,
      },
    };
  }
  return { input: { id, commandId, status: 'REJECTED', version: null, reservation: null, error: outcome.error } };
}

/** The notification mutation the event handler calls; it selects every field a subscriber may ask for. */
export const RESERVATION_SAVED_MUTATION = `mutation ReservationSaved($input: ReservationNotificationInput!) {
  reservationSaved(input: $input) {
    id
    commandId
    status
    version
    reservation { id userId roomId dateStart dateEnd status version cancellationReason }
    error { code message }
  }
}`;
