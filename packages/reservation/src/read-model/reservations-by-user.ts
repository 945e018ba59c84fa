/**
 * The read model `listReservationsByUser` serves: one item per reservation in a table of its own,
 * keyed by the customer (`userId`) and the reservation id, holding the reservation's view.
 *
 * It is kept by the reservation's event store: the event handler's store puts a reservation's item
 * in the same transaction as each commit (`projectReservations`), so the model holds stored commits
 * only (a commit the store rejects is never projected), at no request of its own: the commit's
 * transaction grows by one item (2 more write units). The model can be rebuilt from the event store
 * at any time (`rebuildReservationsByUser`, the `rebuild-read-model` script).
 */
import {
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { Reservation } from '@core/contracts';
import { lastVersion, type Commit } from '@core/runtime';
import { createDynamoDbEventStore, type ProjectedItem } from '@core/runtime/dynamodb';
import { toReservation } from '../api/views';
import { reservationDecider, type ReservationState } from '../domain/reservation';

/** The read model table's key schema (the CDK construct and the tests create it so). */
export const READ_MODEL_KEYS = {
  partitionKey: { name: 'userId', type: 'S' },
  sortKey: { name: 'reservationId', type: 'S' },
} as const;

function toItem(reservation: Reservation): Record<string, AttributeValue> {
  return {
    userId: { S: reservation.userId },
    reservationId: { S: reservation.id },
    version: { N: String(reservation.version) },
    reservation: { S: JSON.stringify(reservation) },
  };
}

/** The store's `project` option: the reservation's item after each commit. */
export function projectReservations(tableName: string): (commit: Commit) => ProjectedItem[] {
  return (commit) => {
    const view = toReservation(commit.state as ReservationState, lastVersion(commit));
    return view === null ? [] : [{ TableName: tableName, Item: toItem(view) }];
  };
}

export interface ReservationsByUser {
  /** A customer's reservations, newest dateStart first. */
  list(userId: string): Promise<Reservation[]>;
  /** Every item of the model (for comparing a rebuild with the live model). */
  all(): Promise<Reservation[]>;
}

/**
 * @example
 * const model = reservationsByUser({ tableName: config.required('READ_MODEL_TABLE_NAME') });
 * await model.list('customer-1');
 */
export function reservationsByUser(options: { tableName: string; client?: DynamoDBClient }): ReservationsByUser {
  const client = options.client ?? new DynamoDBClient({});
  const TableName = options.tableName;
  const views = (items: Record<string, AttributeValue>[] | undefined) =>
    (items ?? []).map((item) => JSON.parse(item['reservation']?.S ?? 'null') as Reservation);
  async function list(userId: string): Promise<Reservation[]> {
    const found: Reservation[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': { S: userId } },
          ExclusiveStartKey,
        }),
      );
      found.push(...views(page.Items));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return found.sort((a, b) => b.dateStart.localeCompare(a.dateStart) || a.id.localeCompare(b.id));
  }
  async function all(): Promise<Reservation[]> {
    const found: Reservation[] = [];
    for await (const page of scan(client, TableName)) found.push(...views(page));
    return found.sort((a, b) => a.id.localeCompare(b.id));
  }
  return { list, all };
}

/**
 * Rebuilds the read model from the event store: every reservation stream is loaded (folded with the
 * current reducer) and its item put. Idempotent; run it into an empty table to compare with the live one.
 *
 * @returns how many reservations were written
 */
export async function rebuildReservationsByUser(options: {
  client: DynamoDBClient;
  eventsTable: string;
  readModelTable: string;
}): Promise<number> {
  const store = createDynamoDbEventStore({ tableName: options.eventsTable, client: options.client });
  const streams = new Set<string>();
  for await (const page of scan(options.client, options.eventsTable, 'streamId')) {
    for (const item of page) {
      const streamId = item['streamId']?.S ?? '';
      if (streamId !== '' && !streamId.includes('#')) streams.add(streamId);
    }
  }
  let written = 0;
  for (const streamId of streams) {
    const { state, version } = await store.load(streamId, reservationDecider);
    const view = toReservation(state, version);
    if (view === null) continue;
    await options.client.send(new PutItemCommand({ TableName: options.readModelTable, Item: toItem(view) }));
    written += 1;
  }
  return written;
}

async function* scan(client: DynamoDBClient, TableName: string, ProjectionExpression?: string) {
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName, ProjectionExpression, ExclusiveStartKey }));
    yield page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
}
