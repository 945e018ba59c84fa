/** How the reservation appears in the API: the query result and the notification. */
import type { Reservation, ReservationNotificationInput } from '@core/contracts';
import type { CommandOutcome, FinalOutcome } from '@core/runtime';
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
    rejectionReason: state.rejectionReason,
    totalPrice: state.totalPrice,
    currency: state.currency,
  };
}

/**
 * A command's outcome as the API shows it: the `reservationSaved` notification's input (always final)
 * and the `getReservationCommandOutcome` answer (possibly PENDING) have the same fields.
 */
export function toOutcomeView(outcome: CommandOutcome<ReservationState>): ReservationNotificationInput {
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
        reservation: toReservation(outcome.state, outcome.version),
        error: null,
      };
    case 'REJECTED':
      return { ...address, status: 'REJECTED', version: null, reservation: null, error: outcome.error };
    case 'PENDING':
      return { ...address, status: 'PENDING', version: null, reservation: null, error: null };
    default: {
      const unhandled: never = outcome;
      return unhandled;
    }
  }
}

/** The `reservationSaved` mutation's variables for a command's final outcome. */
export function toNotification(outcome: FinalOutcome<ReservationState>): { input: ReservationNotificationInput } {
  return { input: toOutcomeView(outcome) };
}

/** The notification mutation the event handler calls; it selects every field a subscriber may ask for. */
export const RESERVATION_SAVED_MUTATION = `mutation ReservationSaved($input: ReservationNotificationInput!) {
  reservationSaved(input: $input) {
    id
    commandId
    fingerprint
    replyTo
    status
    version
    reservation {
      id userId roomId dateStart dateEnd status version cancellationReason rejectionReason totalPrice currency
    }
    error { code message }
  }
}`;
