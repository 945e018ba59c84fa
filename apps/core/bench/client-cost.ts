/**
 * What a reservation costs on AWS, from a front-end server's first request to the saga's decision,
 * with the typed client (`@core/client`: one real-time connection, one subscription per aggregate)
 * against a subscription opened per command (AWS's AppSync links, as the local benchmark and most
 * AppSync examples do), measured in the same run on the same core. Each reservation is made for a
 * registered guest in a registered room, so the saga confirms it: its commands to the room and the
 * payment aggregates are counted too. Writes docs/bench/client-cost.md.
 * Run: `cd apps/core && ts-node --transpile-only bench/client-cost.ts` (part of `pnpm nx run core:bench`).
 */
import { gql } from '@apollo/client';
import type { CoreClient } from '@core/client';
import type { LocalCore } from '@core/local';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { appSyncClient, iamAuth, subscribeWithReady } from '../scripts/front-end-client';
import { bootCoreAndClient } from './support/core-and-client';
import { costPerMillion, perCommand, type PerCommand } from './support/cost';

const RESERVATIONS = 100;
const coreDir = join(__dirname, '..');
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
  subscription OnSaved($commandId: ID) {
    onReservationSaved(commandId: $commandId) {
      id
      commandId
      status
    }
  }
`;

/** A guest with credit and a room, made through the client (not counted). */
async function hotel(client: CoreClient): Promise<{ userId: string; roomId: string }> {
  const room = await client.room.registerRoom({ name: 'Bench', nightlyPrice: 1_000, currency: 'EUR' });
  const guest = await client.customer.registerCustomer({
    email: `${randomUUID()}@bench.example`,
    name: 'Bench',
    creditLimit: 100_000_000,
    currency: 'EUR',
  });
  return { userId: (await guest.settled).id, roomId: (await room.settled).id };
}

/** Nights far apart, so that no two reservations of a run compete for one. */
const stay = (n: number) => ({ dateStart: day(1 + 2 * n), dateEnd: day(2 + 2 * n) });

/** Each reservation with the client: sent, settled by the notification on the client's one subscription. */
async function withTheClient(core: LocalCore, client: CoreClient, guest: { userId: string; roomId: string }) {
  for (let n = 0; n < RESERVATIONS; n++) {
    const sent = await client.reservation.createReservation({ ...guest, ...stay(n) });
    await sent.settled;
  }
  await core.idle();
}

/** Each reservation as the AppSync examples do it: a subscription for its command id, opened, then the mutation. */
async function withASubscriptionPerCommand(core: LocalCore, guest: { userId: string; roomId: string }) {
  const apollo = appSyncClient(core, iamAuth(core));
  for (let n = 0; n < RESERVATIONS; n++) {
    const commandId = randomUUID();
    let ready!: () => void;
    let notified!: () => void;
    let failed!: (error: unknown) => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const isNotified = new Promise<void>((resolve, reject) => ((notified = resolve), (failed = reject)));
    const subscription = subscribeWithReady(
      apollo,
      { query: ON_SAVED, variables: { commandId } },
      { onReady: ready, onData: () => notified(), onError: (error) => failed(error) },
    );
    await isReady;
    await apollo.mutate({ mutation: CREATE, variables: { input: { ...guest, ...stay(n), commandId } } });
    await isNotified;
    subscription.unsubscribe();
  }
  await core.idle();
  apollo.stop();
}

async function measure(core: LocalCore, run: () => Promise<void>): Promise<PerCommand> {
  const before = core.metrics();
  await run();
  return perCommand(core.metrics(), before, RESERVATIONS);
}

async function main(): Promise<void> {
  const { core, client } = await bootCoreAndClient();
  try {
    await client.connect();
    // A guest and a room of its own for each way: their states grow with each reservation, and the
    // read units with them.
    const [first, second, warm] = [await hotel(client), await hotel(client), await hotel(client)];
    await core.idle();
    // Warm-up (cold starts are not what this counts), then the two ways, in the same run.
    await (
      await client.reservation.createReservation({ ...warm, ...stay(0) })
    ).settled;
    await core.idle();
    const oneSubscription = await measure(core, () => withTheClient(core, client, first));
    const perCommandSubscription = await measure(core, () => withASubscriptionPerCommand(core, second));
    writeReport(oneSubscription, perCommandSubscription);
  } finally {
    await client.close();
    await core.stop();
  }
}

function writeReport(client: PerCommand, apollo: PerCommand): void {
  const [withClient, withApollo] = [costPerMillion(client), costPerMillion(apollo)];
  const rows = withClient.lines.map(
    ([what, usd], i) => `| ${what} | ${withApollo.lines[i]?.[1].toFixed(2)} | ${usd.toFixed(2)} |`,
  );
  const count = (label: string, key: keyof PerCommand) =>
    `| ${label} | ${apollo[key].toFixed(2)} | ${client[key].toFixed(2)} |`;
  const report = `# What a reservation costs, with the one-subscription client

Measured by \`cd apps/core && ts-node --transpile-only bench/client-cost.ts\` (part of \`pnpm nx run core:bench\`) on
${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}.
${RESERVATIONS} reservations each way, in the same run on the same local core (\`CoreDev\` from \`apps/core/cdk.out\`):
a registered guest with credit books a registered room, and the saga confirms it, so each reservation is its
create plus the saga's commands to the room and the payment (hold, authorize, book, capture, confirm).

- **a subscription per command**: what the AppSync examples and the local benchmark do (AWS's AppSync links):
  subscribe to \`onReservationSaved(commandId)\`, wait for \`start_ack\`, send, wait for the notification, unsubscribe.
- **the client** (\`@core/client\`): one connection and one subscription per aggregate (by \`replyTo\`), opened once.

Counted by the local runtime per reservation:

| per reservation | a subscription per command | the client |
|---|---:|---:|
${count('AppSync requests (queries, mutations, the notifications)', 'appSyncRequests')}
${count('AppSync real-time messages to clients', 'realtimeMessagesOut')}
${count('EventBridge events', 'busEvents')}
${count('Lambda invocations', 'lambdaInvocations')}
${count('DynamoDB read requests', 'dynamoReadRequests')}
${count('DynamoDB write requests', 'dynamoWriteRequests')}

## Cost per million reservations (USD, us-east-1 list prices)

| item | a subscription per command | the client |
|---|---:|---:|
${rows.join('\n')}
| **total** | **${withApollo.total.toFixed(2)}** | **${withClient.total.toFixed(2)}** |

Prices and their sources are those of [local.md](local.md). Real-time messages are the local AppSync's count of
what it sends clients over their connections (\`realtimeMessagesOut\`), billed here as AppSync real-time updates.
The saga's own notifications (room, payment) go to subscriptions only
when one exists: none here, so they cost their mutation only. Not included: Step Functions state transitions
(the saga is a STANDARD state machine: see [saga.md](saga.md)), storage, data transfer, free tiers.
`;
  writeFileSync(join(coreDir, '..', '..', 'docs', 'bench', 'client-cost.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
