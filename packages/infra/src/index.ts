/**
 * The CDK rules every aggregate's construct applies. Plain functions: each construct still writes
 * out its own table, functions, grants, bus rule and resolvers.
 */
export {
  HANDLER_BUNDLING,
  HANDLER_ENTRY_METADATA,
  handlerFunction,
  type HandlerFunction,
  type HandlerFunctionProps,
} from './handler-function';
export { acknowledgeInvokeVersions, passThroughTemplates } from './appsync';
export { grantOwnEventSource, type OwnEventSourceProps } from './event-sources';
export { EVENT_STORE_APPENDS, EVENT_STORE_CHANGES, protectEventStore } from './event-store';
