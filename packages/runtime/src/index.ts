/** The aggregate toolkit. Adapters live in subpaths (`/dynamodb`, `/eventbridge`, `/appsync`) so a bundle holds only what it uses. */
export { readConfig, type Config } from './config';
export {
  ACTOR_KINDS,
  actsFor,
  fold,
  hasRole,
  type Actor,
  type DecideContext,
  type Decider,
  type DomainEvent,
  type Reducer,
  type UniqueKey,
} from './decider';
export { COMMIT_DETAIL_TYPE, EXTERNAL_COMMIT_DETAIL_TYPE, RENOTIFY_DETAIL_TYPE } from './bus-contract';
export {
  deterministicId,
  eventId,
  lastVersion,
  randomId,
  recentCommitEntry,
  recentCommitMatch,
  RECENT_COMMITS,
  toCommit,
  toDomainEvents,
  uniqueKeyChanges,
  type Commit,
  type EventEnvelope,
  type WrapOptions,
} from './envelope';
export { canonicalJson, commandFingerprint } from './fingerprint';
export {
  BusinessRuleViolationError,
  ConcurrencyError,
  ConfigurationError,
  CoreError,
  DeadlineExceededError,
  DependencyError,
  ForbiddenError,
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
export { logDebug, logError, logInfo, type LogFields } from './log';
export { outcomeOfRecord, readCommandOutcome, type OutcomeRequest } from './outcome';
export type {
  AppendOptions,
  AppendResult,
  CommandOutcome,
  CommandRecord,
  EventPublisher,
  EventStore,
  FinalOutcome,
  LoadedStream,
  Notifier,
  OutcomeAddress,
  RejectionCode,
  RenotifyRequest,
  RuntimeRejectionCode,
  StoredCommit,
  TaskReporter,
} from './ports';
export { preview } from './text';
