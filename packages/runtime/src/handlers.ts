/** Handler factories: a decider plus adapters become Lambda handlers. */
export {
  actorOf,
  correlationIdOf,
  USER_HEADER,
  USER_ROLES_HEADER,
  type AppSyncIdentity,
  type AppSyncResolverEvent,
  type LambdaContext,
} from './handlers/appsync-event';
export {
  createCommandHandler,
  MAX_COMMAND_ID_LENGTH,
  type CommandAccepted,
  type CommandHandlerAdapters,
  type CommandHandlerOptions,
  type ExternalEvents,
  type ParsedCommand,
} from './handlers/command';
export { parseCommit, parseRenotifyRequest } from './handlers/commit-shape';
export {
  createEventHandlers,
  type BusEvent,
  type DeadLetterBatch,
  type EventHandlerAdapters,
  type EventHandlerOptions,
  type EventHandlers,
} from './handlers/event';
export { createQueryHandler, type QueryHandlerOptions, type QueryReaders } from './handlers/query';
