/**
 * Benchmark of the reservation saga on the local core: how long a reservation takes from
 * `createReservation` to `CONFIRMED` as a front-end server sees it (AWS's AppSync links, IAM; polling
 * `getReservationById` every 20 ms), and the AWS operations one confirmed reservation costs, counted
 * by the local runtime (the saga's Lambda invocations, DynamoDB requests and bus events included).
 * Writes docs/bench/saga.md. Run: `npx nx run core:bench` (or `npx ts-node --transpile-only bench/saga.ts`).
 */
import { gql } from '@apollo/client';
import { bootLocalCore, type LocalCoreMetrics } from '@core/local';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appSyncClient, iamAuth } from '../scripts/front-end-client';

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
  get: gql`
    query ($id: ID!) {
      getReservationById(id: $id) {
        status
      }
    }
  `,
};
const COUNTED = [
  'lambdaInvocations',
  'dynamoReadRequests',
  'dynamoWriteRequests',
  'dynamoWriteUnits',
  'busEvents',
  'appSyncRequests',
] as const satisfies readonly (keyof LocalCoreMetrics)[];

async function main(): Promise<void> {
  const core = await bootLocalCore({ assemblyDir: join(coreDir, 'cdk.out'), port: 0, log: () => undefined });
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
    for (;;) {
      const found = (await client.query({ query: Q.get, variables: { id }, fetchPolicy: 'network-only' })).data as {
        getReservationById: { status: string } | null;
      };
      if (found.getReservationById?.status === 'CONFIRMED') break;
      if (found.getReservationById?.status === 'REJECTED') throw new Error(`reservation ${id} was rejected`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const elapsed = performance.now() - started;
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

The time includes the saga's first state: it asks for the request commit's outcome, and when that is still
PENDING (the saga and the event handler start from the same bus entry) it waits one second (a Wait state)
before asking again.

## AWS operations per confirmed reservation (mean of ${RESERVATIONS})

| operation | per reservation |
|---|---:|
| Lambda invocations | ${per('lambdaInvocations')} |
| DynamoDB read requests | ${per('dynamoReadRequests')} |
| DynamoDB write requests (transactions count once) | ${per('dynamoWriteRequests')} |
| DynamoDB write units | ${per('dynamoWriteUnits')} |
| EventBridge events | ${per('busEvents')} |
| AppSync requests (the notifications and the polling client's queries) | ${per('appSyncRequests')} |

Six commands make one confirmed reservation (create, hold, authorize, book, capture, confirm), each a
command handler, an event handler and a notification; the saga adds its queries (the commit's outcome, the
customer).
`;
  writeFileSync(join(coreDir, '..', '..', 'docs', 'bench', 'saga.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
