/** The room aggregate's domain. Its CDK construct is in `@core/room/infra`. */
export { parseRoomCommand } from './api/commands';
export {
  isAvailable,
  nightsBetween,
  overlaps,
  roomDecider,
  type Hold,
  type RoomCommand,
  type RoomEvent,
  type RoomState,
} from './domain/room';
export { ROOM_SAVED_MUTATION, toAvailability, toNotification, toOutcomeView, toRoom } from './api/views';
