/** Handler factories: a decider plus adapters become Lambda handlers. */
export {
  actorOf,
  correlationIdOf,
  type AppSyncIdentity,
  type AppSyncResolverEvent,
  type LambdaContext,
} from './handlers/appsync-event';
export {
  createCommandHandler,
  type CommandAccepted,
  type CommandHandlerAdapters,
  type CommandHandlerOptions,
  type ParsedCommand,
} from './handlers/command';
export {
  createEventHandler,
  parseCommit,
  type CommitEvent,
  type EventHandlerAdapters,
  type EventHandlerOptions,
} from './handlers/event';
export { createQueryHandler, type LoadState, type QueryHandlerOptions } from './handlers/query';
