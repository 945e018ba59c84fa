/**
 * Benchmark of the reservation saga on the local core: how long a reservation takes from
 * `createReservation` to the `CONFIRMED` notification as a front-end server sees it (AWS's AppSync
 * links, IAM; subscribed to `onReservationSaved(id)` once the id is known), and the AWS operations one
 * confirmed reservation costs, counted by the local runtime (the saga's Lambda invocations, DynamoDB
 * requests and bus events included).
 * Writes docs/bench/saga.md. Run: `npx nx run core:bench` (or `npx ts-node --transpile-only bench/saga.ts`).
 */
import { gql } from '@apollo/client';
import { bootLocalCore, type LocalCoreMetrics } from '@core/local';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appSyncClient, iamAuth, subscribeWithReady } from '../scripts/front-end-client';
import { LOCAL_STACK } from '../scripts/local-stack';

const RESERVATIONS = 20;
const coreDir = join(__dirname, '..');
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const Q = {
  customer: gql`
    mutation ($input: RegisterCustomerInput!) {
      registerCustomer(input: $input) {
        id
      }
    }
  `,
  room: gql`
    mutation ($input: RegisterRoomInput!) {
      registerRoom(input: $input) {
        id
      }
    }
  `,
  reserve: gql`
    mutation ($input: CreateReservationInput!) {
      createReservation(input: $input) {
        id
      }
    }
  `,
  saved: gql`
    subscription ($id: ID) {
      onReservationSaved(id: $id) {
        reservation {
          status
        }
      }
    }
  `,
};
const COUNTED = [
  'lambdaInvocations',
  'dynamoReadRequests',
  'dynamoWriteRequests',
  'busEvents',
  'appSyncRequests',
] as const satisfies readonly (keyof LocalCoreMetrics)[];

async function main(): Promise<void> {
  const core = await bootLocalCore({
    stacks: [LOCAL_STACK],
    assemblyDir: join(coreDir, 'cdk.out'),
    port: 0,
    log: () => undefined,
  });
  const client = appSyncClient(core, iamAuth(core));
  const mutate = async (mutation: keyof typeof Q, input: object): Promise<string> => {
    const answer = await client.mutate({ mutation: Q[mutation], variables: { input } });
    return (Object.values(answer.data as object)[0] as { id: string }).id;
  };
  const guest = await mutate('customer', {
    email: `bench-${Date.now()}@example.com`,
    name: 'Bench',
    creditLimit: 1e9,
    currency: 'EUR',
  });
  const room = await mutate('room', { name: 'Bench', nightlyPrice: 10_000, currency: 'EUR' });
  await core.idle();

  const durations: number[] = [];
  const totals = Object.fromEntries(COUNTED.map((key) => [key, 0])) as Record<(typeof COUNTED)[number], number>;
  for (let i = 0; i <= RESERVATIONS; i++) {
    const before = core.metrics();
    const started = performance.now();
    const id = await mutate('reserve', { userId: guest, roomId: room, dateStart: day(1 + i), dateEnd: day(2 + i) });
    const status = await new Promise<string>((resolve, reject) => {
      const subscription = subscribeWithReady(
        client,
        { query: Q.saved, variables: { id } },
        {
          onReady: () => undefined,
          onData: (data) => {
            const saved = (data.onReservationSaved as { reservation: { status: string } | null }).reservation;
            if (saved === null || saved.status === 'REQUESTED') return;
            subscription.unsubscribe();
            resolve(saved.status);
          },
          onError: reject,
        },
      );
    });
    const elapsed = performance.now() - started;
    if (status !== 'CONFIRMED') throw new Error(`reservation ${id} is ${status}`);
    await core.idle();
    const after = core.metrics();
    if (i === 0) continue; // the warm-up pays the saga's functions' cold starts
    durations.push(elapsed);
    for (const key of COUNTED) totals[key] += after[key] - before[key];
  }
  await core.stop();

  const sorted = [...durations].sort((a, b) => a - b);
  const pct = (p: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(0);
  const per = (key: (typeof COUNTED)[number]) => (totals[key] / RESERVATIONS).toFixed(1);
  const report = `# The reservation saga on the local core

Measured by \`npx ts-node --transpile-only bench/saga.ts\` in apps/core (part of \`npx nx run core:bench\`) on
${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, on a
machine shared with other work (the figures are indicative, not final). The core is booted from
\`apps/core/cdk.out\` in memory; one customer (with a payment account) and one room; ${RESERVATIONS} reservations of
one night one after another, after one warm-up reservation.

## createReservation → CONFIRMED

| p50 | p90 | max |
|---:|---:|---:|
| ${pct(50)} ms | ${pct(90)} ms | ${pct(100)} ms |

The saga reads the customer, then asks for the request commit's outcome; when that is still PENDING (the
saga and the event handler start from the same bus entry) it waits one second (a Wait state) before asking
again, which is what the slower runs show.

## AWS operations per confirmed reservation (mean of ${RESERVATIONS})

| operation | per reservation |
|---|---:|
| Lambda invocations | ${per('lambdaInvocations')} |
| DynamoDB read requests | ${per('dynamoReadRequests')} |
| DynamoDB write requests (a commit's transaction counts once) | ${per('dynamoWriteRequests')} |
| EventBridge events | ${per('busEvents')} |
| AppSync requests (the client's mutation and the notifications) | ${per('appSyncRequests')} |

Six commands make one confirmed reservation (create, hold, authorize, book, capture, confirm): each is a
command handler (1 read) and an event handler (1 transactional write: the commit and its record, and for
the reservation its read-model item), and a notification. The saga adds its reads: the customer, and the
request commit's outcome (once more for each second it was still PENDING). DynamoDB bills a transactional
write at 2 write units per item per KB: 2 items per command, 3 for the reservation's.
`;
  writeFileSync(join(coreDir, '..', '..', 'docs', 'bench', 'saga.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
