/**
 * Benchmark: the command path in one process. The reservation command and event handler bundles from
 * cdk.out run on the main thread, configured by environment as their templates configure them, with
 * dynalite (behind the transaction front) on the same thread, a PutEvents endpoint that hands each
 * entry straight to the event handler (as the bus rule would), and an AppSync endpoint that accepts
 * the notification. Measures commands per second from 16 concurrent clients, latency to "accepted"
 * (the mutation answered) and to "stored" (the notification received), the DynamoDB requests and
 * capacity units per command, single commands on long streams, and a CPU profile of the whole path
 * per package. Writes docs/bench/command-path.md. Run: `pnpm nx run core:bench`.
 */
import { startDynalite } from '@core/runtime/testing';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { localVariables, readAssembly, type Assembly, type AssemblyFunction } from './support/assembly';
import { median } from './support/invocations';
import { startInProcessBus, startNotificationSink, type InProcessBus } from './support/in-process-endpoints';
import { rebuildWithSourceMap } from './support/rebuild';
import { profileWhile, renderProfile } from './support/path-profile';
import { createDynamoCounter, type DynamoCounter } from './support/dynamo-counter';
import { seedStream } from './support/seed';

const STREAMS = Number(process.env['BENCH_STREAMS'] ?? 1_000);
const CLIENTS = 16;
const WARM_UP_STREAMS = 32;
const PROFILED_STREAMS = 200;
const LONG_STREAMS = (process.env['BENCH_LONG_STREAMS'] ?? '10,100,1000,10000').split(',').filter(Boolean).map(Number);
const LONG_STREAM_SAMPLES = 5;
const coreDir = join(__dirname, '..');
const repoRoot = join(coreDir, '..', '..');

type Handler = (event: unknown, context: { awsRequestId: string }) => Promise<{ id: string }>;

/** Loads a bundle as Lambda does, from ts-node's CommonJS (where `import()` would become `require`). */
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, Handler>>;

interface Path {
  readonly command: Handler;
  readonly bus: InProcessBus;
  readonly stored: (commandId: string) => Promise<void>;
  readonly dynamo: DynamoCounter;
  readonly bundles: { command: string; event: string };
}

interface Timings {
  readonly accepted: number[];
  readonly stored: number[];
}

/**
 * The resolver event AppSync passes for a front-end server (IAM) acting for an operator with the admin
 * role (only a reservation's own user or an admin may cancel it): the user headers among the signed ones.
 */
const mutation = (fieldName: string, input: Record<string, unknown>) => ({
  arguments: { input },
  identity: { userArn: 'arn:aws:iam::000000000000:role/bench' },
  request: {
    headers: {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261202/us-east-1/appsync/aws4_request, SignedHeaders=host;x-core-user;x-core-user-roles, Signature=0',
      'x-core-user': 'bench-operator',
      'x-core-user-roles': 'admin',
    },
  },
  info: { fieldName, parentTypeName: 'Mutation' },
});
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Sends one command and waits for its notification; records both latencies. */
async function send(path: Path, fieldName: string, input: Record<string, unknown>, timings: Timings) {
  const started = performance.now();
  const storedNotice = path.stored(String(input['commandId']));
  const accepted = await path.command(mutation(fieldName, input), {
    awsRequestId: `bench-${String(input['commandId'])}`,
  });
  timings.accepted.push(performance.now() - started);
  await storedNotice;
  timings.stored.push(performance.now() - started);
  return accepted;
}

/** `streams` reservations, each created then cancelled, by CLIENTS clients at once. */
async function runClients(
  path: Path,
  streams: number,
  tag: string,
): Promise<Timings & { seconds: number; cpuSeconds: number }> {
  const timings: Timings = { accepted: [], stored: [] };
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let stream = client; stream < streams; stream += CLIENTS) {
        const name = `${tag}-${stream}`;
        const created = await send(
          path,
          'createReservation',
          {
            userId: `user-${client}`,
            roomId: `room-${stream}`,
            dateStart: day(3),
            dateEnd: day(5),
            commandId: `${name}-create`,
          },
          timings,
        );
        await send(
          path,
          'cancelReservation',
          { id: created.id, reason: 'bench', commandId: `${name}-cancel` },
          timings,
        );
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { ...timings, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** One cancel on each of LONG_STREAM_SAMPLES streams of `events` events: latencies, requests and units. */
async function longStreams(path: Path, events: number, tableName: string) {
  const timings: Timings = { accepted: [], stored: [] };
  const counts: { total: number; readUnits: number; writeUnits: number }[] = [];
  for (let sample = 0; sample < LONG_STREAM_SAMPLES; sample++) {
    const name = `long-${events}-${sample}`;
    const streamId = await seedStream(path.dynamo.client, tableName, name, events);
    const before = path.dynamo.snapshot();
    await send(path, 'cancelReservation', { id: streamId, reason: 'bench', commandId: `${name}-cancel` }, timings);
    counts.push(path.dynamo.since(before, 1));
  }
  const mean = (pick: (count: (typeof counts)[number]) => number) =>
    counts.reduce((sum, count) => sum + pick(count), 0) / counts.length;
  return {
    events,
    timings,
    requests: {
      total: mean((c) => c.total),
      readUnits: mean((c) => c.readUnits),
      writeUnits: mean((c) => c.writeUnits),
    },
  };
}

async function startPath(assembly: Assembly, find: (name: string) => AssemblyFunction): Promise<Path> {
  const dynamo = await createDynamoCounter(startDynalite);
  for (const table of assembly.tables)
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: table.logicalId,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: table.keySchema,
        AttributeDefinitions: table.attributes,
      }),
    );
  const [commandFn, eventFn] = [find('Reservation/CommandHandler'), find('Reservation/EventHandler')];
  const bundles = {
    command: await rebuildWithSourceMap(String(commandFn.entry), commandFn.bundle, repoRoot),
    event: await rebuildWithSourceMap(String(eventFn.entry), eventFn.bundle, repoRoot),
  };
  const eventModule = await importModule(`file://${bundles.event}`);
  const bus = await startInProcessBus((event) =>
    (eventModule[eventFn.exportName] as Handler)(event, { awsRequestId: 'bench' }),
  );
  const sink = await startNotificationSink();
  const local = { tableName: (id: string) => id, eventBusName: 'core', graphqlUrl: sink.url };
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-token',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    ...localVariables(assembly, commandFn, local),
    ...localVariables(assembly, eventFn, local),
  });
  const commandModule = await importModule(`file://${bundles.command}`);
  return { command: commandModule[commandFn.exportName] as Handler, bus, stored: sink.stored, dynamo, bundles };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const assembly = readAssembly(join(coreDir, 'cdk.out'));
  const find = (name: string) => {
    const fn = assembly.functions.find((candidate) => candidate.name === name);
    if (fn === undefined) throw new Error(`cdk.out has no function ${name}`);
    return fn;
  };
  const path = await startPath(assembly, find);
  const logs = silenceStdout();
  await runClients(path, WARM_UP_STREAMS, 'warm');
  const before = path.dynamo.snapshot();
  const busBefore = path.bus.metrics();
  const logBytesBefore = logs.bytes();
  const run = await runClients(path, STREAMS, 'run');
  const logBytes = (logs.bytes() - logBytesBefore) / (STREAMS * 2);
  const commands = STREAMS * 2;
  const perCommand = path.dynamo.since(before, commands);
  const bus = path.bus.since(busBefore, commands);
  const long = [];
  const tableName = assembly.tables[0]?.logicalId ?? '';
  for (const events of LONG_STREAMS) long.push(await longStreams(path, events, tableName));
  const profile = await profileWhile(() => runClients(path, PROFILED_STREAMS, 'profiled'), path.bundles);
  logs.restore();
  await Promise.all([path.dynamo.close(), path.bus.close()]);
  const report = renderReport({ run, commands, perCommand, bus, long, profile, logBytes, loadBefore });
  writeFileSync(join(repoRoot, 'docs', 'bench', 'command-path.md'), report);
  console.log(report);
  process.exit(0);
}

/** The handlers' log lines are written as in Lambda (console.log), then dropped; their bytes are counted. */
function silenceStdout(): { bytes(): number; restore(): void } {
  const write = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;
  return {
    bytes: () => bytes,
    restore() {
      process.stdout.write = write;
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

interface ReportInput {
  readonly run: Timings & { seconds: number; cpuSeconds: number };
  readonly commands: number;
  readonly perCommand: ReturnType<DynamoCounter['since']>;
  readonly bus: ReturnType<InProcessBus['since']>;
  readonly long: Awaited<ReturnType<typeof longStreams>>[];
  readonly profile: Awaited<ReturnType<typeof profileWhile>>;
  readonly logBytes: number;
  readonly loadBefore: number[];
}

function renderReport(input: ReportInput): string {
  const { run, commands, perCommand } = input;
  const ms = (value: number) => value.toFixed(1);
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  const operations = Object.entries(perCommand.requests)
    .map(([operation, count]) => `${operation} ${count >= 0.01 ? count.toFixed(2) : count.toPrecision(1)}`)
    .join(', ');
  const longRows = input.long.map(
    ({ events, timings, requests }) =>
      `| ${events.toLocaleString('en-US')} | ${ms(median(timings.accepted))} | ${ms(Math.max(...timings.accepted))} | ${ms(median(timings.stored))} | ${ms(Math.max(...timings.stored))} | ${requests.total.toFixed(1)} | ${requests.readUnits.toFixed(1)} | ${requests.writeUnits.toFixed(1)} |`,
  );
  return `# The command path in one process

Measured by \`pnpm nx run core:bench\` (apps/core/bench/command-path.ts) on ${new Date().toISOString().slice(0, 10)}:
Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${load(input.loadBefore)}
(1, 5, 15 minutes) at the start.

The reservation command and event handler bundles from \`apps/core/cdk.out\` run in this process, on
its main thread, configured by environment as their templates configure them. DynamoDB is dynalite
behind the transaction front (\`@core/dynalite-transactions\`), on the same thread; EventBridge is a
PutEvents endpoint that hands each entry straight to the event handler, as the bus rule would; AppSync
is an endpoint that accepts the notification. A client calls the command handler as AppSync would
(the mutation's resolver event), counts the command accepted when it answers and stored when the
notification arrives. The handlers' log lines are written as in Lambda and dropped
(${(input.logBytes / (commands + 2 * (WARM_UP_STREAMS + PROFILED_STREAMS + (LONG_STREAMS.length * LONG_STREAM_SAMPLES) / 2))).toFixed(0)} bytes per command).

## ${commands.toLocaleString('en-US')} commands from ${CLIENTS} clients

${STREAMS.toLocaleString('en-US')} reservations, each created and then cancelled (a reservation stream takes two
commands: a third is refused), ${CLIENTS} clients at once, each sending its next command when the last
one's notification arrived; after a warm-up of ${WARM_UP_STREAMS * 2} commands.

| | value |
|---|---:|
| commands per second | **${(commands / run.seconds).toFixed(0)}** |
| CPU time per command (this process, all threads) | ${((run.cpuSeconds / commands) * 1000).toFixed(2)} ms |
| accepted p50 / p99 | ${ms(percentile(run.accepted, 50))} / ${ms(percentile(run.accepted, 99))} ms |
| stored p50 / p99 | ${ms(percentile(run.stored, 50))} / ${ms(percentile(run.stored, 99))} ms |
| DynamoDB requests per command | **${perCommand.total.toFixed(2)}** (${operations}) |
| read / write capacity units per command | ${perCommand.readUnits.toFixed(2)} / ${perCommand.writeUnits.toFixed(2)} |
| PutEvents requests / notifications per command | ${input.bus.requests.toFixed(2)} / ${input.bus.delivered.toFixed(2)} |

## One command on a long stream

A reservation stream seeded with N events through the event store (N − 1 in commits of up to 100
events, then one commit of one event, so that the newest item is an ordinary one holding the state
after all of them), then one \`cancelReservation\`; ${LONG_STREAM_SAMPLES} streams of each length, median and
slowest; requests and capacity units are the cancel's own (mean).

| events in the stream | accepted median (ms) | accepted max (ms) | stored median (ms) | stored max (ms) | DynamoDB requests | read units | write units |
|---:|---:|---:|---:|---:|---:|---:|---:|
${longRows.join('\n')}

## Where the time goes

${renderProfile(input.profile, PROFILED_STREAMS * 2, (run.cpuSeconds / commands) * 1000)}
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
