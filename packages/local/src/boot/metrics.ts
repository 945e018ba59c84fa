/**
 * The AWS operations the local core served, gathered from each service's counters: what the cost
 * benchmark prices.
 */
import type { LocalAppSyncApi } from '../appsync';
import type { LocalEventBus } from '../eventbridge';
import type { DynamoDbMetering } from './dynamodb-proxy';
import type { LocalFunctions } from './functions';
import type { LocalCoreMetrics } from './types';

export interface MeteredServices {
  readonly api: LocalAppSyncApi | undefined;
  readonly bus: LocalEventBus;
  readonly dynamo: Readonly<DynamoDbMetering>;
  readonly functions: LocalFunctions;
}

export function collectMetrics({ api, bus, dynamo, functions }: MeteredServices): LocalCoreMetrics {
  const perFunction: LocalCoreMetrics['functions'] = {};
  for (const { fn, path, memoryMb } of functions.all) {
    perFunction[path] = {
      invocations: fn.metrics.invocations,
      coldStarts: fn.metrics.coldStarts,
      billedMs: fn.metrics.billedMs,
      memoryMb,
    };
  }
  const all = Object.values(perFunction);
  const sum = (key: 'invocations' | 'coldStarts' | 'billedMs') => all.reduce((total, f) => total + f[key], 0);
  return {
    appSyncRequests: api?.metrics.requests ?? 0,
    realtimeMessagesOut: api?.metrics.realtimeMessagesOut ?? 0,
    realtimeMessagesIn: api?.metrics.realtimeMessagesIn ?? 0,
    realtimeConnectionMinutes: api?.metrics.connectionMinutes ?? 0,
    putEventsCalls: bus.metrics.putEventsCalls,
    busEvents: bus.metrics.entries,
    busBilledEvents: bus.metrics.billedEventChunks,
    busDeliveries: bus.metrics.deliveries,
    busRetries: bus.metrics.retries,
    busDeadLettered: bus.metrics.deadLettered,
    dynamoReadRequests: dynamo.readRequests,
    dynamoWriteRequests: dynamo.writeRequests,
    dynamoReadUnits: dynamo.readUnits,
    dynamoWriteUnits: dynamo.writeUnits,
    lambdaInvocations: sum('invocations'),
    lambdaColdStarts: sum('coldStarts'),
    lambdaBilledMs: sum('billedMs'),
    lambdaLogBytes: functions.logBytes(),
    lambdaWarnLogBytes: functions.warnLogBytes(),
    functions: perFunction,
  };
}
