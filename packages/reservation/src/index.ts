/** The reservation aggregate's domain. Its CDK construct is in `@core/reservation/infra`. */
export { parseReservationCommand } from './api/commands';
export {
  ADMIN_ROLE,
  MAX_NIGHTS,
  REJECTION_REASONS,
  type RejectionReason,
  nightsBetween,
  reservationDecider,
  type ReservationCommand,
  type ReservationEvent,
  type ReservationState,
  type ReservationStatus,
} from './domain/reservation';
export { RESERVATION_SAVED_MUTATION, toNotification, toOutcomeView, toReservation } from './api/views';
