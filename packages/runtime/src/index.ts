/** The aggregate toolkit. Adapters live in subpaths (`/dynamodb`, `/eventbridge`, `/appsync`) so a bundle holds only what it uses. */
export { readConfig, type Config } from './config';
export { fold, type Actor, type DecideContext, type Decider, type DomainEvent, type Reducer } from './decider';
export {
  deterministicId,
  lastVersion,
  randomId,
  toCommit,
  toDomainEvents,
  type Commit,
  type EventEnvelope,
  type WrapOptions,
} from './envelope';
export {
  BusinessRuleViolationError,
  ConcurrencyError,
  ConfigurationError,
  CoreError,
  DeadlineExceededError,
  DependencyError,
  GraphQLFacingError,
  PayloadTooLargeError,
  ValidationError,
  isCoreError,
  toGraphQLErrorType,
  toGraphQLFacingError,
  type AggregateErrorCode,
  type CoreErrorCode,
  type DependencyErrorCode,
  type ErrorCategory,
  type RuntimeErrorCode,
} from './errors';
export { DYNAMODB_ITEM_LIMIT_BYTES, itemSizeBytes, type AttributeValueShape } from './item-size';
export { logError, logInfo, type LogFields } from './log';
export {
  RECENT_COMMIT_IDS,
  type AppendOutcome,
  type CommitOutcome,
  type EventPublisher,
  type EventStore,
  type LoadedStream,
  type Notifier,
  type StoredCommit,
} from './ports';
