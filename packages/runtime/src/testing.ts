/** Test helpers: given/when/then for deciders, a dynalite server, and HTTP servers that capture what a bus or AppSync is given. */
export { given, testContext, type DeciderSpecification } from './testing/decider-spec';
export { createEventsTable, startDynalite } from './testing/dynalite';
export {
  startCapturingBus,
  startCapturingGraphQL,
  type CapturedRequest,
  type PutEventsEntry,
} from './testing/capture-servers';
