/**
 * Load benchmark of the local core (not a timed test): 2,000 commands over 200 reservations from 32
 * concurrent front-end clients, forked into a process of their own (bench/load-clients.ts), each
 * subscribing to its command's outcome and sending only after AppSync's `start_ack`. First 200
 * creates, then nine cancels per reservation sent by nine clients at about the same time (one is
 * stored, the others are rejected CONFLICT or refused at once); every 20th command is sent again
 * after its outcome (a retry, notified again). Then every accepted command's outcome is read back and
 * the invariant checker runs over what was sent, answered, notified, read and stored. Run twice:
 * without a fault, and with one (BENCH_FAULT, JSON; default store throttling of 10% of DynamoDB
 * requests); then a third time with plain commands (2,000 registerRoom: one aggregate, no saga).
 * Writes docs/bench/local-load.md. With BENCH_LOAD_ONLY=rooms (or hotel), runs that workload without a fault
 * only and prints its report without writing it (for profiling one workload).
 * Run: `pnpm nx run core:bench` (all benchmarks) or `cd apps/core && ts-node --transpile-only bench/load.ts`.
 */
import { bootLocalCore, type FaultConfig, type LocalCore } from '@core/local';
import { reservationDecider } from '@core/reservation';
import { roomDecider } from '@core/room';
import {
  checkAnswerContract,
  type ContractReport,
  type ObservedOutcome,
  type SentCommand,
} from '@core/runtime/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { readStores } from '../test/support/contract-driver';
import { RealtimeClient } from './realtime-client';
import {
  NOTIFY_TIMEOUT_MS,
  AGGREGATE_DOCUMENTS,
  ROOM_COMMANDS,
  toObserved,
  type FromClients,
  type LoadEndpoint,
  type Notification,
  type Observed,
  type ToClients,
  type Workload,
} from './load-clients';
import { LOCAL_STACK } from '../scripts/local-stack';

const coreDir = join(__dirname, '..');
const repoRoot = join(coreDir, '..', '..');
const DEFAULT_FAULT: FaultConfig = { storeThrottling: { rate: 0.1 }, seed: 1 };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** Forks the clients (bench/load-clients.ts), gives them the core's endpoint, and answers their wait for idle. */
function driveFromClientProcess(
  core: LocalCore,
  workload: Workload,
): Promise<{ elapsedMs: number; observed: Observed }> {
  const clients = fork(join(__dirname, 'load-clients.ts'), [], {
    execArgv: [...process.execArgv, '-r', 'ts-node/register/transpile-only'],
  });
  const endpoint: LoadEndpoint = {
    graphqlUrl: core.graphqlUrl,
    realtimeUrl: core.realtimeUrl,
    apiKey: core.apiKey,
    region: core.region,
    frontEndCredentials: core.frontEndCredentials,
  };
  return new Promise((resolve, reject) => {
    clients.on('message', (message: FromClients) => {
      if (message.type === 'idle?') void core.idle().then(() => clients.send({ type: 'idle' } satisfies ToClients));
      else resolve(message);
    });
    clients.once('exit', (code) => reject(new Error(`the load clients exited with ${code}`)));
    clients.send({ type: 'drive', endpoint, workload } satisfies ToClients);
  });
}

/** Reads back every accepted command's outcome, 16 at a time. */
async function readOutcomes(
  core: LocalCore,
  commands: readonly SentCommand[],
  aggregate: keyof typeof AGGREGATE_DOCUMENTS,
): Promise<ObservedOutcome[]> {
  const { outcome, outcomeField } = AGGREGATE_DOCUMENTS[aggregate];
  const reader = new RealtimeClient(core);
  const accepted = commands.flatMap((command) =>
    command.answer.accepted ? [{ commandId: command.commandId, streamId: command.answer.streamId }] : [],
  );
  const outcomes: ObservedOutcome[] = [];
  for (let i = 0; i < accepted.length; i += 16)
    await Promise.all(
      accepted.slice(i, i + 16).map(async ({ commandId, streamId }) => {
        const result = await reader.request(outcome, { id: streamId, commandId });
        outcomes.push(toObserved(result.data?.[outcomeField] as Notification));
      }),
    );
  return outcomes;
}

interface Run {
  readonly label: string;
  readonly elapsedMs: number;
  readonly observed: Observed;
  readonly report: ContractReport;
  readonly metrics: ReturnType<LocalCore['metrics']>;
  readonly undelivered: number;
  readonly deadLetters: number;
  readonly faultsInjected: Record<string, number>;
}

/** Per workload: the aggregate whose commands are checked, and its event table. */
const CHECKED = {
  hotel: { aggregate: 'reservation', table: 'Reservation/Events' },
  rooms: { aggregate: 'room', table: 'Room/Events' },
} as const;

async function run(label: string, workload: Workload, faults: FaultConfig | undefined): Promise<Run> {
  const checked = CHECKED[workload];
  const dataDir = mkdtempSync(join(tmpdir(), 'local-core-load-'));
  const core = await bootLocalCore({
    stacks: [LOCAL_STACK],
    assemblyDir: join(coreDir, 'cdk.out'),
    dataDir,
    port: 0,
    log: () => undefined,
    ...(faults === undefined ? {} : { faults }),
  });
  try {
    const { elapsedMs, observed } = await driveFromClientProcess(core, workload);
    await core.idle();
    const faultsInjected = Object.fromEntries(Object.entries(core.faults.injected()).filter(([, n]) => n > 0));
    core.faults.set({});
    const outcomes = await readOutcomes(core, observed.commands, checked.aggregate);
    const checkerInput = {
      commands: observed.commands,
      notifications: observed.notifications,
      outcomes,
      store: await readStores(core, checked.table),
    };
    const report =
      workload === 'rooms'
        ? checkAnswerContract(checkerInput, { reducer: roomDecider })
        : checkAnswerContract(checkerInput, { reducer: reservationDecider });
    const queued = (name: string) =>
      [...core.queues].filter(([queue]) => queue.includes(name)).reduce((sum, [, q]) => sum + q.messages.length, 0);
    return {
      label,
      elapsedMs,
      observed,
      report,
      metrics: core.metrics(),
      undelivered: queued('Undelivered'),
      deadLetters: queued('DeadLetters'),
      faultsInjected,
    };
  } finally {
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function reportOf(runs: readonly Run[], fault: FaultConfig): string {
  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  const row = (name: string, value: (r: Run) => string) => `| ${name} | ${runs.map(value).join(' | ')} |`;
  const sent = (r: Run) => r.observed.commands.length;
  const refusedBy = (r: Run) => {
    const counts: Record<string, number> = {};
    for (const { answer } of r.observed.commands)
      if (!answer.accepted) counts[answer.errorType] = (counts[answer.errorType] ?? 0) + 1;
    return (
      Object.entries(counts)
        .map(([type, n]) => `${type} ${n}`)
        .join(', ') || '0'
    );
  };
  return `# The local core under load: 32 clients, the hotel (2,000 commands, 200 reservations) and plain commands

Measured by \`cd apps/core && ts-node --transpile-only bench/load.ts\` (part of \`pnpm nx run core:bench\`) on
${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}. The core is booted from
\`apps/core/cdk.out\` with a data folder (journals on, as \`pnpm start\` runs it) and the template's durations.

The 32 clients run in a process of their own (bench/load-clients.ts), as front-end servers do, so the core's
main thread serves requests only. Each (a WebSocket of its own, speaking AppSync's real-time protocol, subscribed with the API key) subscribes to
\`onReservationSaved(commandId)\`, sends after \`start_ack\`, and waits for the outcome before its next command.
First 200 \`createReservation\`, each for a registered guest in a room of its own (registered before the timed
load), which the saga confirms while the load goes on; then nine \`cancelReservation\` per reservation (signed by
the front-end server acting for an admin) sent by nine clients at about the same time: one is stored, the others
are rejected \`CONFLICT\` (decided on the same version, also against the saga's own commands) or refused at once
(\`RESERVATION_ALREADY_CANCELLED\`, when the first cancel was already stored). A cancel of a confirmed
reservation starts the saga's compensation (the room released, the payment refunded). Every 20th command is sent again
after its outcome (a retry: answered with the same id and notified again). A command answered by a transport or
internal error is sent again with the same id (client retries). Then every accepted command's outcome is read
back and the invariant checker runs over what was sent, answered, notified, read and stored.

The second column runs the hotel with a fault of the local runtime switched on: \`${JSON.stringify(fault)}\`.
The third runs the plain workload instead: ${ROOM_COMMANDS.toLocaleString('en')} \`registerRoom\` from the same 32
clients, each subscribing to \`onRoomSaved(commandId)\` and sending after \`start_ack\` (one aggregate, no saga:
each command is one command handler, one bus delivery, one event handler and one notification), every 20th sent
again after its outcome; the checker runs over the room's event table.

| | ${runs.map((r) => r.label).join(' | ')} |
|---|${runs.map(() => '---:').join('|')}|
${row('commands sent (retries included)', (r) => String(sent(r)))}
${row('wall time of the load', (r) => `${fmt(r.elapsedMs / 1000)} s`)}
${row('throughput (commands sent / s)', (r) => fmt(sent(r) / (r.elapsedMs / 1000)))}
${row('accepted', (r) => String(r.report.summary.accepted))}
${row('refused at once', (r) => refusedBy(r))}
${row(
  'stored / rejected',
  (r) =>
    `${r.report.summary.stored} / ${
      Object.entries(r.report.summary.rejected)
        .map(([code, n]) => `${code} ${n}`)
        .join(', ') || '0'
    }`,
)}
${row('accepted: p50 / p99', (r) => `${fmt(percentile(r.observed.accepted, 50))} / ${fmt(percentile(r.observed.accepted, 99))} ms`)}
${row('notified: p50 / p99 (from the send)', (r) => `${fmt(percentile(r.observed.notified, 50))} / ${fmt(percentile(r.observed.notified, 99))} ms`)}
${row('notifications received (repeats)', (r) => `${r.report.summary.notifications} (${r.report.summary.repeatedNotifications})`)}
${row('retries: deliberate / after an error', (r) => `${r.observed.deliberateRetries} / ${r.observed.clientRetries}`)}
${row(`no notification within ${NOTIFY_TIMEOUT_MS / 1000} s (read back instead)`, (r) => String(r.observed.recoveredByQuery))}
${row('bus delivery retries / sent to Undelivered', (r) => `${r.metrics.busRetries} / ${r.metrics.busDeadLettered}`)}
${row('dead-letter handler invocations', (r) => String(Object.entries(r.metrics.functions).find(([path]) => path.endsWith('DeadLetterHandler'))?.[1].invocations ?? 0))}
${row('left in Undelivered / DeadLetters', (r) => `${r.undelivered} / ${r.deadLetters}`)}
${row('faults injected', (r) => JSON.stringify(r.faultsInjected).replace(/"/g, ''))}
${row('invariant checker', (r) => (r.report.ok ? 'green' : `**${r.report.violations.length} violation(s)**`))}

${runs.flatMap((r) => r.report.violations.slice(0, 10).map((v) => `- ${r.label}: ${v}`)).join('\n')}
The machine is shared (2 cores, other work running); compare runs made on the same machine only. Latencies are
the local runtime's (worker-thread Lambdas, at most 2 environments per function, dynalite), not AWS's.
`;
}

/** One workload without a fault, its report printed and not written (BENCH_LOAD_ONLY). */
async function runOnly(workload: 'hotel' | 'rooms'): Promise<void> {
  const only = await run(`${workload}, no fault`, workload, undefined);
  console.log(reportOf([only], DEFAULT_FAULT));
  process.exit(only.report.ok ? 0 : 1);
}

async function main(): Promise<void> {
  const only = process.env.BENCH_LOAD_ONLY;
  if (only === 'hotel' || only === 'rooms') return runOnly(only);
  const fault =
    process.env.BENCH_FAULT === undefined ? DEFAULT_FAULT : (JSON.parse(process.env.BENCH_FAULT) as FaultConfig);
  const runs = [
    await run('hotel, no fault', 'hotel', undefined),
    await run(
      `hotel, ${Object.keys(fault)
        .filter((k) => k !== 'seed')
        .join(', ')}`,
      'hotel',
      fault,
    ),
    await run('rooms (no saga), no fault', 'rooms', undefined),
  ];
  const report = reportOf(runs, fault);
  writeFileSync(join(repoRoot, 'docs', 'bench', 'local-load.md'), report);
  console.log(report);
  process.exit(runs.every((r) => r.report.ok) ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
