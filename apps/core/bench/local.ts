/**
 * Benchmark of the local core: boot time (from cdk.out, and with a fresh synth first), the command →
 * notification round trip over 200 commands as a front-end server sees it (AWS's AppSync links, IAM),
 * and the AWS operations one command costs, counted by the local runtime and priced at AWS's
 * us-east-1 list prices. Writes docs/bench/local.md. Run: `pnpm nx run core:bench`.
 */
import { gql } from '@apollo/client';
import { bootLocalCore, type LocalCoreMetrics } from '@core/local';
import { LOCAL_STACK } from '../scripts/local-stack';
import { costPerMillion, perCommand } from './support/cost';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { appSyncClient, iamAuth, subscribeWithReady } from '../scripts/front-end-client';

const COMMANDS = 200;
const BOOTS = 5;
const SYNTHS = 3;
const coreDir = join(__dirname, '..');
const repoRoot = join(coreDir, '..', '..');
const assemblyDir = join(coreDir, 'cdk.out');
const quiet = () => undefined;

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
      version
      reservation {
        id
        status
      }
      error {
        code
      }
    }
  }
`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
const median = (values: number[]) => percentile(values, 50);
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function bootTimes(): Promise<{ boot: number[]; synthAndBoot: number[] }> {
  const boot: number[] = [];
  for (let i = 0; i < BOOTS; i++) {
    const started = performance.now();
    const core = await bootLocalCore({ assemblyDir, stacks: [LOCAL_STACK], port: 0, log: quiet });
    boot.push(performance.now() - started);
    await core.stop();
  }
  const synthAndBoot: number[] = [];
  for (let i = 0; i < SYNTHS; i++) {
    const started = performance.now();
    const synth = spawnSync(
      join(repoRoot, 'node_modules', '.bin', 'nx'),
      ['run', 'core:synth', '--skip-nx-cache', '--output-style=static'],
      { cwd: repoRoot },
    );
    if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr.toString()}`);
    const core = await bootLocalCore({ assemblyDir, stacks: [LOCAL_STACK], port: 0, log: quiet });
    synthAndBoot.push(performance.now() - started);
    await core.stop();
  }
  return { boot, synthAndBoot };
}

function delta(after: LocalCoreMetrics, before: LocalCoreMetrics) {
  return perCommand(after, before, COMMANDS);
}

async function roundTrips() {
  const core = await bootLocalCore({ assemblyDir, stacks: [LOCAL_STACK], port: 0, log: quiet });
  const client = appSyncClient(core, iamAuth(core));
  const command = async () => {
    const commandId = randomUUID();
    let ready!: () => void;
    let done!: (status: string) => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const outcome = new Promise<string>((resolve) => (done = resolve));
    const subscription = subscribeWithReady(
      client,
      { query: ON_SAVED, variables: { commandId } },
      {
        onReady: ready,
        onData: (data) => done(String((data.onReservationSaved as { status: string }).status)),
        onError: (error) => done(`error ${JSON.stringify(error)}`),
      },
    );
    await isReady;
    const started = performance.now();
    await client.mutate({
      mutation: CREATE,
      variables: { input: { userId: 'bench', roomId: 'room-1', dateStart: day(5), dateEnd: day(7), commandId } },
    });
    const accepted = performance.now() - started;
    const status = await outcome;
    const notified = performance.now() - started;
    subscription.unsubscribe();
    if (status !== 'STORED') throw new Error(`command ${commandId} ended ${status}`);
    return { accepted, notified };
  };
  const cold = await command(); // the first command pays the functions' cold starts
  await core.idle();
  const before = core.metrics();
  const accepted: number[] = [];
  const notified: number[] = [];
  for (let i = 0; i < COMMANDS; i++) {
    const timing = await command();
    accepted.push(timing.accepted);
    notified.push(timing.notified);
  }
  await core.idle();
  const counted = delta(core.metrics(), before);
  await core.stop();
  return { cold, accepted, notified, perCommand: counted };
}

async function main(): Promise<void> {
  const boots = await bootTimes();
  const trips = await roundTrips();
  const cost = costPerMillion(trips.perCommand);
  const p = trips.perCommand;
  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  const report = `# The local core: boot, round trip, and what a command costs

Measured by \`pnpm nx run core:bench\` (apps/core/bench/local.ts) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version},
${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}. The core is booted from \`apps/core/cdk.out\` in memory.

## Boot

| what | median | runs |
|---|---:|---:|
| boot from an existing cdk.out (dynalite, tables, functions, bus, AppSync) | ${fmt(median(boots.boot), 0)} ms | ${BOOTS} |
| fresh \`nx run core:synth --skip-nx-cache\` (bundling the three handlers) + boot | ${fmt(median(boots.synthAndBoot), 0)} ms | ${SYNTHS} |

\`pnpm start\` synthesizes through Nx, which restores cdk.out from its cache when no input changed.

## Round trip: command → notification

A front-end server (aws-appsync-subscription-link and aws-appsync-auth-link on Apollo Client, IAM) subscribes
to \`onReservationSaved(commandId)\`, waits for AppSync's \`start_ack\`, sends \`createReservation\` and waits for
the \`STORED\` notification; ${COMMANDS} commands one after another, after one warm-up command.

| | p50 | p99 | max |
|---|---:|---:|---:|
| command accepted (mutation answered) | ${fmt(percentile(trips.accepted, 50))} ms | ${fmt(percentile(trips.accepted, 99))} ms | ${fmt(Math.max(...trips.accepted))} ms |
| notification received (stored and fanned out) | ${fmt(percentile(trips.notified, 50))} ms | ${fmt(percentile(trips.notified, 99))} ms | ${fmt(Math.max(...trips.notified))} ms |

The first command, which pays every function's cold start: accepted after ${fmt(trips.cold.accepted)} ms, notified after ${fmt(trips.cold.notified)} ms.

## AWS operations per command (counted by the local runtime, mean of ${COMMANDS})

| operation | per command |
|---|---:|
| AppSync requests (createReservation, reservationSaved) | ${fmt(p.appSyncRequests, 2)} |
| AppSync real-time messages out / in (start_ack, data, complete; start, stop) | ${fmt(p.realtimeMessagesOut, 2)} / ${fmt(p.realtimeMessagesIn, 2)} |
| EventBridge events (billed 64 KB chunks) | ${fmt(p.busEvents, 2)} (${fmt(p.busBilledEvents, 2)}) |
| DynamoDB read requests / read units | ${fmt(p.dynamoReadRequests, 2)} / ${fmt(p.dynamoReadUnits, 2)} |
| DynamoDB write requests / write units | ${fmt(p.dynamoWriteRequests, 2)} / ${fmt(p.dynamoWriteUnits, 2)} |
| Lambda invocations | ${fmt(p.lambdaInvocations, 2)} |
| Lambda billed duration | ${fmt(p.lambdaBilledMs)} ms (${fmt(p.lambdaGbSeconds * 1000, 3)} GB-ms at 512 MB) |
| log bytes written | ${fmt(p.logBytes, 0)} |

What is counted per command is a whole reservation request that the saga turns down: \`bench\` is no registered
guest, so the reservation saga (started by the create) finds no customer and rejects the reservation with a
second command; its task functions, the second command's event and notification and the read model's writes are
in the figures. The command alone (one read, one transactional write, one event, two invocations) is counted in
[command-cost.md](command-cost.md), with the one-subscription client. Each read costs at least one unit (DynamoDB
bills a read of nothing too); the kept state makes it one item however long the stream is.

## Cost per million commands (USD, us-east-1 list prices)

| item | USD per million commands |
|---|---:|
${cost.lines.map(([what, usd]) => `| ${what} | ${usd.toFixed(2)} |`).join('\n')}
| **total** | **${cost.total.toFixed(2)}** |

Prices: AppSync $4.00 per million query/mutation operations, $2.00 per million real-time updates, $0.08 per
million connection-minutes (aws.amazon.com/appsync/pricing); EventBridge $1.00 per million custom events, each
64 KB chunk one event (aws.amazon.com/eventbridge/pricing); Lambda $0.20 per million requests and
$0.0000133334 per GB-second on arm64 (aws.amazon.com/lambda/pricing); DynamoDB on-demand $0.625 per million
write and $0.125 per million read request units since the November 2024 reduction
(aws.amazon.com/dynamodb/pricing/on-demand); CloudWatch Logs $0.50 per GB ingested
(aws.amazon.com/cloudwatch/pricing). Not included: DynamoDB storage and backups, data transfer, the free tiers.
Lambda durations are this machine's (x86-64, Node 20) and stand in for arm64 on Node 24; the real-time count
includes the control messages of one subscription per command, an upper bound for what AppSync bills as updates.
`;
  writeFileSync(join(repoRoot, 'docs', 'bench', 'local.md'), report);
  console.log(report);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
