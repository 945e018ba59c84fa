/**
 * Long reservation streams for the command-path benchmark, written through the event store as the
 * event handler writes commits: N `ReservationRequested` events, N − 1 in commits of up to 100 and the
 * last in a commit of its own, so that the newest item is an ordinary one holding the state after all
 * of them (a requested reservation, which a cancel may change).
 * No real reservation stream is this long (the decider refuses a second create); the point is what a
 * command costs on a stream of N events.
 */
import { reservationDecider, type ReservationEvent } from '@core/reservation';
import { fold, toCommit } from '@core/runtime';
import { createDynamoDbEventStore } from '@core/runtime/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deterministicId } from '@core/runtime';

const EVENTS_PER_COMMIT = 100;

export async function seedStream(
  client: DynamoDBClient,
  tableName: string,
  name: string,
  events: number,
): Promise<string> {
  const store = createDynamoDbEventStore({ tableName, client });
  const streamId = deterministicId(`bench/${name}`);
  const requested: ReservationEvent = {
    type: 'ReservationRequested',
    data: { reservationId: streamId, userId: 'u', roomId: 'r', dateStart: '2099-01-01', dateEnd: '2099-01-03' },
  };
  let state = reservationDecider.initialState;
  let recent: readonly string[] = [];
  for (let version = 0; version < events;) {
    const size = version === events - 1 ? 1 : Math.min(EVENTS_PER_COMMIT, events - 1 - version);
    const batch = Array.from({ length: size }, () => requested);
    state = fold(reservationDecider, batch, state);
    const commit = toCommit(batch, {
      aggregate: 'reservation',
      streamId,
      expectedVersion: version,
      commandId: `${name}-seed-${version}`,
      fingerprint: 'seed',
      correlationId: name,
      actor: { kind: 'system', id: 'bench' },
      now: new Date(),
      deadline: new Date(Date.now() + 60_000),
      state,
      reducerVersion: reservationDecider.reducerVersion,
      previousCommits: recent,
    });
    recent = commit.recentCommits;
    version += size;
    const result = await store.append(commit, { notAfter: new Date(Date.now() + 30_000) });
    if (result.status !== 'stored') throw new Error(`seeding ${name} at version ${version}: ${result.status}`);
  }
  return streamId;
}
