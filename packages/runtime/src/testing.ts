/**
 * Test helpers: given/when/then for deciders, a dynalite server, HTTP servers that capture what a bus or
 * AppSync is given, and the answer contract's invariant checker with a reader of a whole event table.
 */
export { given, testContext, type DeciderSpecification } from './testing/decider-spec';
export { createEventsTable, startDynalite } from './testing/dynalite';
export {
  startCapturingBus,
  startCapturingGraphQL,
  type CapturedRequest,
  type PutEventsEntry,
} from './testing/capture-servers';
export {
  checkAnswerContract,
  type ContractCheckOptions,
  type ContractObservations,
  type ContractReport,
  type ObservedOutcome,
  type SentCommand,
  type StoreContents,
  type StoredCommitItem,
} from './testing/answer-contract';
export { readEventTable } from './testing/event-table';
