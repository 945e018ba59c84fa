/** The reservations-by-user read model: its projection, its reader and its rebuild from the event store. */
export {
  projectReservations,
  READ_MODEL_KEYS,
  rebuildReservationsByUser,
  reservationsByUser,
  type ReservationsByUser,
} from './read-model/reservations-by-user';
