/**
 * The reservation aggregate's behaviour: pure, no I/O, no AWS types. Time and ids come in through
 * the decide context. A request is REQUESTED until the reservation saga confirms it (with the price)
 * or rejects it (with the reason); a cancelled confirmed reservation tells the saga to release the
 * room and refund the payment (`wasConfirmed` in its event).
 */
import type {
  ReservationCancelled,
  ReservationConfirmed,
  ReservationRejected,
  ReservationRequested,
} from '@core/contracts';
import {
  BusinessRuleViolationError,
  ForbiddenError,
  actsFor,
  hasRole,
  type Actor,
  type DecideContext,
  type Decider,
} from '@core/runtime';

export const MAX_NIGHTS = 30;

/**
 * The role that may act on any guest's reservation (a Cognito group, or a role a front-end server
 * vouches for in its signed `x-core-user-roles` header).
 */
export const ADMIN_ROLE = 'admin';

/** Why the saga rejected a reservation. */
export const REJECTION_REASONS = ['ROOM_UNAVAILABLE', 'PAYMENT_DECLINED', 'UNKNOWN_CUSTOMER', 'UNKNOWN_ROOM'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type ReservationCommand =
  | { readonly type: 'CreateReservation'; readonly data: ReservationRequested }
  | { readonly type: 'ConfirmReservation'; readonly data: ReservationConfirmed }
  | { readonly type: 'RejectReservation'; readonly data: ReservationRejected & { readonly reason: RejectionReason } }
  | {
      readonly type: 'CancelReservation';
      readonly data: { readonly reservationId: string; readonly reason: string | null };
    };

export type ReservationEvent =
  | { readonly type: 'ReservationRequested'; readonly data: ReservationRequested }
  | { readonly type: 'ReservationConfirmed'; readonly data: ReservationConfirmed }
  | { readonly type: 'ReservationRejected'; readonly data: ReservationRejected }
  | { readonly type: 'ReservationCancelled'; readonly data: ReservationCancelled };

export type ReservationStatus = 'REQUESTED' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

export type ReservationState =
  | { readonly status: 'NONE' }
  | {
      readonly status: ReservationStatus;
      readonly reservationId: string;
      readonly userId: string;
      readonly roomId: string;
      readonly dateStart: string;
      readonly dateEnd: string;
      readonly cancellationReason: string | null;
      readonly rejectionReason: string | null;
      readonly totalPrice: number | null;
      readonly currency: string | null;
    };

/** Whole days from `from` to `to`, both `YYYY-MM-DD` (UTC calendar days). */
export function nightsBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function decide(command: ReservationCommand, state: ReservationState, context: DecideContext): ReservationEvent[] {
  switch (command.type) {
    case 'CreateReservation': {
      const { dateStart, dateEnd } = command.data;
      if (!mayBookFor(context.actor, command.data.userId)) {
        throw new ForbiddenError(
          'NOT_YOUR_RESERVATION',
          'a user books for themselves only: userId must be the user the request is made for',
        );
      }
      if (state.status !== 'NONE') {
        throw new BusinessRuleViolationError(
          'RESERVATION_ALREADY_EXISTS',
          `reservation ${command.data.reservationId} already exists`,
        );
      }
      if (nightsBetween(dateStart, dateEnd) < 1) {
        throw new BusinessRuleViolationError(
          'DATE_END_NOT_AFTER_START',
          `dateEnd (${dateEnd}) must be after dateStart (${dateStart})`,
        );
      }
      if (nightsBetween(dateStart, dateEnd) > MAX_NIGHTS) {
        throw new BusinessRuleViolationError(
          'STAY_TOO_LONG',
          `a reservation is at most ${MAX_NIGHTS} nights; ${dateStart} to ${dateEnd} is ${nightsBetween(dateStart, dateEnd)}`,
        );
      }
      const today = context.now.toISOString().slice(0, 10);
      if (dateStart < today) {
        throw new BusinessRuleViolationError(
          'DATE_START_IN_PAST',
          `dateStart (${dateStart}) is before today (${today})`,
        );
      }
      return [{ type: 'ReservationRequested', data: command.data }];
    }
    case 'ConfirmReservation':
    case 'RejectReservation': {
      const { reservationId } = command.data;
      if (state.status !== 'REQUESTED')
        throw new BusinessRuleViolationError(
          state.status === 'NONE' ? 'RESERVATION_NOT_FOUND' : (`RESERVATION_${state.status}` as const),
          `reservation ${reservationId} is ${state.status === 'NONE' ? 'unknown' : state.status.toLowerCase()}, not requested`,
        );
      return command.type === 'ConfirmReservation'
        ? [{ type: 'ReservationConfirmed', data: command.data }]
        : [{ type: 'ReservationRejected', data: command.data }];
    }
    case 'CancelReservation': {
      const { reservationId, reason } = command.data;
      if (state.status === 'NONE') {
        throw new BusinessRuleViolationError('RESERVATION_NOT_FOUND', `there is no reservation ${reservationId}`);
      }
      if (!actsFor(context.actor, state.userId) && !hasRole(context.actor, ADMIN_ROLE)) {
        throw new ForbiddenError(
          'NOT_RESERVATION_OWNER',
          `only the reservation's own user or an ${ADMIN_ROLE} may cancel reservation ${reservationId}`,
        );
      }
      if (state.status === 'CANCELLED') {
        throw new BusinessRuleViolationError(
          'RESERVATION_ALREADY_CANCELLED',
          `reservation ${reservationId} is already cancelled`,
        );
      }
      if (state.status === 'REJECTED') {
        throw new BusinessRuleViolationError(
          'RESERVATION_REJECTED',
          `reservation ${reservationId} was rejected; there is nothing to cancel`,
        );
      }
      const { userId, roomId, totalPrice, currency } = state;
      const wasConfirmed = state.status === 'CONFIRMED';
      return [
        {
          type: 'ReservationCancelled',
          data: { reservationId, reason, userId, roomId, wasConfirmed, totalPrice, currency },
        },
      ];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * A caller acting for a user books for that user only (an admin for anyone); a caller acting for
 * nobody (a front-end server on its own, the development API key) names the guest in the input.
 */
function mayBookFor(actor: Actor, userId: string): boolean {
  return actor.userId === undefined || actsFor(actor, userId) || hasRole(actor, ADMIN_ROLE);
}

function evolve(state: ReservationState, event: ReservationEvent): ReservationState {
  switch (event.type) {
    case 'ReservationRequested':
      return {
        status: 'REQUESTED',
        ...event.data,
        cancellationReason: null,
        rejectionReason: null,
        totalPrice: null,
        currency: null,
      };
    case 'ReservationConfirmed':
      return state.status === 'NONE'
        ? state
        : { ...state, status: 'CONFIRMED', totalPrice: event.data.totalPrice, currency: event.data.currency };
    case 'ReservationRejected':
      return state.status === 'NONE' ? state : { ...state, status: 'REJECTED', rejectionReason: event.data.reason };
    case 'ReservationCancelled':
      return state.status === 'NONE'
        ? state
        : { ...state, status: 'CANCELLED', cancellationReason: event.data.reason ?? null };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The reservation decider. Bump `reducerVersion` whenever `evolve` or the state's shape changes. */
export const reservationDecider: Decider<ReservationCommand, ReservationEvent, ReservationState> = {
  initialState: { status: 'NONE' },
  decide,
  evolve,
  reducerVersion: 2,
};
