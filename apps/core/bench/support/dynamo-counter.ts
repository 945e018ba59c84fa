/**
 * dynalite behind the transaction front, counting what its clients ask: requests per operation and
 * the capacity units DynamoDB would bill (from each answer's `ConsumedCapacity`).
 */
import type { startDynalite } from '@core/runtime/testing';

interface Counts {
  readonly requests: Record<string, number>;
  readonly readUnits: number;
  readonly writeUnits: number;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface DynamoCounter {
  readonly client: Awaited<ReturnType<typeof startDynalite>>['client'];
  readonly endpoint: string;
  snapshot(): Counts;
  /** Per command since `before`: requests per operation, their total, read and write units. */
  since(before: Counts, commands: number): Counts & { total: number };
  close(): Promise<void>;
}

export async function createDynamoCounter(start: typeof startDynalite): Promise<DynamoCounter> {
  const requests: Record<string, number> = {};
  let readUnits = 0;
  let writeUnits = 0;
  const dynamo = await start({
    observe: (target, answer) => {
      const operation = target.slice(target.indexOf('.') + 1);
      requests[operation] = (requests[operation] ?? 0) + 1;
      const consumed = (JSON.parse(answer.body.toString('utf8')) as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = [consumed ?? []]
        .flat()
        .reduce((sum: number, each) => sum + ((each as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
      if (WRITES.has(operation)) writeUnits += units;
      else readUnits += units;
    },
  });
  const snapshot = (): Counts => ({ requests: { ...requests }, readUnits, writeUnits });
  return {
    client: dynamo.client,
    endpoint: dynamo.endpoint,
    snapshot,
    since(before, commands) {
      const now = snapshot();
      const perCommand = Object.fromEntries(
        Object.entries(now.requests)
          .map(([operation, count]) => [operation, (count - (before.requests[operation] ?? 0)) / commands] as const)
          .filter(([, count]) => count > 0),
      );
      return {
        requests: perCommand,
        total: Object.values(perCommand).reduce((sum, count) => sum + count, 0),
        readUnits: (now.readUnits - before.readUnits) / commands,
        writeUnits: (now.writeUnits - before.writeUnits) / commands,
      };
    },
    close: () => dynamo.close(),
  };
}
