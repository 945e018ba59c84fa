/**
 * What one command costs on AWS: the local core's counters over a run, per command, priced at AWS's
 * us-east-1 list prices (sources in docs/bench/local.md). Shared by the local and the client-cost benchmarks.
 */
import type { LocalCoreMetrics } from '@core/local';

/** AWS list prices, us-east-1, USD. */
export const PRICE = {
  appSyncOperation: 4.0 / 1e6,
  appSyncRealtimeUpdate: 2.0 / 1e6,
  appSyncConnectionMinute: 0.08 / 1e6,
  eventBridgeEvent: 1.0 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  logsIngestedGb: 0.5,
};

export type PerCommand = ReturnType<typeof perCommand>;

/** The counters' growth from `before` to `after`, divided by the `commands` of the run. */
export function perCommand(after: LocalCoreMetrics, before: LocalCoreMetrics, commands: number) {
  const d = (key: keyof Omit<LocalCoreMetrics, 'functions'>) => (after[key] - before[key]) / commands;
  const gbSeconds =
    Object.entries(after.functions).reduce((sum, [name, f]) => {
      const was = before.functions[name]?.billedMs ?? 0;
      return sum + ((f.billedMs - was) / 1000) * (f.memoryMb / 1024);
    }, 0) / commands;
  return {
    appSyncRequests: d('appSyncRequests'),
    realtimeMessagesOut: d('realtimeMessagesOut'),
    realtimeMessagesIn: d('realtimeMessagesIn'),
    connectionMinutes: d('realtimeConnectionMinutes'),
    busEvents: d('busEvents'),
    busBilledEvents: d('busBilledEvents'),
    dynamoReadRequests: d('dynamoReadRequests'),
    dynamoWriteRequests: d('dynamoWriteRequests'),
    dynamoReadUnits: d('dynamoReadUnits'),
    dynamoWriteUnits: d('dynamoWriteUnits'),
    lambdaInvocations: d('lambdaInvocations'),
    lambdaBilledMs: d('lambdaBilledMs'),
    lambdaGbSeconds: gbSeconds,
    logBytes: d('lambdaLogBytes'),
    warnLogBytes: d('lambdaWarnLogBytes'),
  };
}

/** USD per million commands, a line per AWS item, and the total. */
export function costPerMillion(each: PerCommand): { lines: (readonly [string, number])[]; total: number } {
  const lines = [
    ['AppSync operations (queries and mutations)', each.appSyncRequests * PRICE.appSyncOperation],
    ['AppSync real-time messages to clients', each.realtimeMessagesOut * PRICE.appSyncRealtimeUpdate],
    ['AppSync connection minutes', each.connectionMinutes * PRICE.appSyncConnectionMinute],
    ['EventBridge custom events (64 KB chunks)', each.busBilledEvents * PRICE.eventBridgeEvent],
    ['Lambda requests', each.lambdaInvocations * PRICE.lambdaRequest],
    ['Lambda duration (arm64, GB-s)', each.lambdaGbSeconds * PRICE.lambdaArmGbSecond],
    ['DynamoDB reads (on-demand RRU)', each.dynamoReadUnits * PRICE.dynamoReadUnit],
    ['DynamoDB writes (on-demand WRU)', each.dynamoWriteUnits * PRICE.dynamoWriteUnit],
    ['CloudWatch Logs ingestion', (each.logBytes / 1024 ** 3) * PRICE.logsIngestedGb],
  ] as const;
  return {
    lines: lines.map(([what, usd]) => [what, usd * 1e6] as const),
    total: lines.reduce((sum, [, usd]) => sum + usd, 0) * 1e6,
  };
}
