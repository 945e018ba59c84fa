/**
 * The whole core on this machine, booted from the synthesized app (cdk.out), driven as a front-end
 * server drives it: with AWS's own AppSync client links over HTTP and the real-time WebSocket protocol.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gql, type ApolloClient } from '@apollo/client';
import { bootLocalCore, type LocalCore } from '@core/local';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyAuth, appSyncClient, appSyncClientFor, iamAuth } from '../scripts/front-end-client';
import { LOCAL_STACK } from '../scripts/local-stack';

// The subscription link arms a 15 s timer per connection and never clears it; unref'd, Jest can exit.
const armTimer = globalThis.setTimeout;
Object.assign(globalThis, { setTimeout: (...args: Parameters<typeof setTimeout>) => armTimer(...args).unref() });

const assemblyDir = join(__dirname, '..', 'cdk.out');
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const CREATE = gql`
  mutation Create($input: CreateReservationInput!) {
    createReservation(input: $input) {
      id
      commandId
    }
  }
`;
const ON_SAVED = gql`
  subscription OnSaved($id: ID, $commandId: ID) {
    onReservationSaved(id: $id, commandId: $commandId) {
      id
      commandId
      status
      version
      reservation {
        id
        status
        dateStart
      }
      error {
        code
        message
      }
    }
  }
`;
const GET = gql`
  query Get($id: ID!) {
    getReservationById(id: $id) {
      id
      status
      version
      userId
    }
  }
`;

/** Collects what a subscription receives; `next()` waits for the next one. */
function subscribe(client: ApolloClient, variables: Record<string, string>) {
  const received: unknown[] = [];
  const waiters: ((value: unknown) => void)[] = [];
  const subscription = client.subscribe({ query: ON_SAVED, variables }).subscribe({
    next: (value) => (waiters.shift() ?? ((v: unknown) => received.push(v)))(value),
    error: (error: unknown) => (waiters.shift() ?? ((v: unknown) => received.push(v)))({ error }),
  });
  return {
    received,
    next: () =>
      received.length > 0 ? Promise.resolve(received.shift()) : new Promise((resolve) => waiters.push(resolve)),
    stop: () => subscription.unsubscribe(),
  };
}

describe('the local core (booted from cdk.out)', () => {
  let core: LocalCore;
  const lines: string[] = [];
  const waitForLine = async (pattern: RegExp, from = 0) => {
    for (let i = 0; i < 400; i++) {
      if (lines.slice(from).some((line) => pattern.test(line))) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no log line matched ${pattern}:\n${lines.slice(from).join('\n')}`);
  };

  beforeAll(async () => {
    core = await bootLocalCore({ assemblyDir, stacks: [LOCAL_STACK], port: 0, log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await core.stop();
  });

  it('answers a command with an id at once, then notifies STORED on the subscription opened for its commandId', async () => {
    const client = appSyncClient(core, iamAuth(core));
    const commandId = `e2e-${Date.now()}`;
    const from = lines.length;
    const subscription = subscribe(client, { commandId });
    await waitForLine(new RegExp(`subscription started: onReservationSaved .*${commandId}`), from);

    const answer = await client.mutate({
      mutation: CREATE,
      variables: { input: { userId: 'guest-1', roomId: 'room-101', dateStart: day(10), dateEnd: day(13), commandId } },
    });
    const accepted = (answer.data as { createReservation: { id: string; commandId: string } }).createReservation;
    expect(accepted.commandId).toBe(commandId);
    expect(accepted.id).toMatch(/^[0-9a-f-]{36}$/);

    const notification = (await subscription.next()) as { data: { onReservationSaved: Record<string, unknown> } };
    expect(notification.data.onReservationSaved).toMatchObject({
      id: accepted.id,
      commandId,
      status: 'STORED',
      version: 1,
      reservation: { id: accepted.id, status: 'REQUESTED', dateStart: day(10) },
      error: null,
    });
    subscription.stop();

    // guest-1 is no customer: the saga rejects the reservation.
    await core.idle();
    const found = await client.query({ query: GET, variables: { id: accepted.id }, fetchPolicy: 'network-only' });
    expect(found.data).toMatchObject({
      getReservationById: { id: accepted.id, status: 'REJECTED', version: 2, userId: 'guest-1' },
    });
  });

  it('answers a rule violation at once as BusinessRuleViolation, naming the rule', async () => {
    const client = appSyncClient(core, apiKeyAuth(core));
    const before = core.metrics().busEvents;
    const error = await client
      .mutate({
        mutation: CREATE,
        variables: { input: { userId: 'guest-1', roomId: 'room-101', dateStart: day(5), dateEnd: day(50) } },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({
      errors: [
        expect.objectContaining({
          errorType: 'BusinessRuleViolation',
          message: expect.stringMatching(/^STAY_TOO_LONG: a reservation is at most 30 nights/),
        }),
      ],
    });
    expect(core.metrics().busEvents).toBe(before);
  });

  it("does not deliver one reservation's notification to a subscription for another id", async () => {
    // The front-end server acts for guest u (it books for u). Subscribe to reservation A's id, then
    // make B. Both guests are unknown, so the saga rejects both: A's subscription must get A's outcomes only.
    const client = appSyncClientFor(core, { userId: 'u' });
    const a = await client.mutate({
      mutation: CREATE,
      variables: { input: { userId: 'u', roomId: 'r', dateStart: day(20), dateEnd: day(21) } },
    });
    const idA = (a.data as { createReservation: { id: string } }).createReservation.id;
    const from = lines.length;
    const forA = subscribe(client, { id: idA });
    await waitForLine(new RegExp(`subscription started: onReservationSaved .*${idA}`), from);
    await client.mutate({
      mutation: CREATE,
      variables: { input: { userId: 'u', roomId: 'r', dateStart: day(22), dateEnd: day(23) } },
    });
    await core.idle();
    const received = forA.received as {
      data: { onReservationSaved: { id: string; reservation: { status: string } } };
    }[];
    expect(received.length).toBeGreaterThan(0);
    expect(received.map((each) => each.data.onReservationSaved.id)).toEqual(received.map(() => idA));
    expect(received.at(-1)?.data.onReservationSaved.reservation.status).toBe('REJECTED');
    forA.stop();
  });

  it('prints one journey line per step of a command, keyed by its correlation id', async () => {
    const journey = lines.filter((line) =>
      /^\d\d:\d\d:\d\d\.\d{3} {2}\S+ {2}(command|bus|rule|store|notify|report|fan-out) /.test(line),
    );
    const steps = new Set(journey.map((line) => line.split(/\s+/)[2]));
    expect([...steps].sort()).toEqual(['bus', 'command', 'fan-out', 'notify', 'report', 'rule', 'store']);
  });
});

describe('restarting the local core', () => {
  it('keeps every stored event', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-core-'));
    try {
      const first = await bootLocalCore({ assemblyDir, stacks: [LOCAL_STACK], port: 0, dataDir, log: () => undefined });
      const client = appSyncClient(first, apiKeyAuth(first));
      const made = await client.mutate({
        mutation: CREATE,
        variables: { input: { userId: 'u-r', roomId: 'r', dateStart: day(3), dateEnd: day(4) } },
      });
      const id = (made.data as { createReservation: { id: string } }).createReservation.id;
      await first.idle();
      await first.stop();

      const second = await bootLocalCore({
        assemblyDir,
        stacks: [LOCAL_STACK],
        port: 0,
        dataDir,
        log: () => undefined,
      });
      try {
        const again = appSyncClient(second, apiKeyAuth(second));
        const found = await again.query({ query: GET, variables: { id }, fetchPolicy: 'network-only' });
        // The saga rejected it (u-r is no customer): both commits were kept.
        expect(found.data).toMatchObject({
          getReservationById: { id, status: 'REJECTED', version: 2, userId: 'u-r' },
        });
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
