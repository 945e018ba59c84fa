/**
 * Runs a synthesized CDK app on one machine. The entry point is {@link bootLocalCore}; the emulators
 * it is built from are exported for tests and tools.
 */
export {
  bootLocalCore,
  type BootOptions,
  type BusFaultSwitch,
  type FaultConfig,
  type FaultControl,
  type FaultName,
  type FaultSwitch,
  type LocalCore,
  type LocalCoreMetrics,
} from './boot/core';
export { createJourney, type Journey, type JourneyStep } from './boot/journey';
export { matchesEventPattern, validateEventPattern, assertValidEventPattern } from './eventbridge/event-pattern';
export { createLocalEventBus, type LocalEventBus } from './eventbridge';
export { LocalQueue, createSqsApi, startSqsEventSource, type LocalQueueMessage, type SqsEventSource } from './sqs';
export { createAppSyncApi, createLocalCertificate, type LocalAppSyncApi } from './appsync';
export { createLocalFunction, type LocalFunction } from './lambda';
export { startDynamoDb, ensureTables } from './dynamodb';
export { createLocalStepFunctions, type LocalStepFunctions } from './stepfunctions';
export { loadCloudAssembly, createStackContext, resolveIntrinsics } from './cloudformation';
export * from './errors';
