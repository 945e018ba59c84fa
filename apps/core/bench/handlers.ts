/**
 * Benchmark: bundle size and cold start of every Lambda function in cdk.out (the bundles that deploy),
 * against a bare Node process in the same run, and a CPU profile of each cold start summarised per
 * package. A cold start is a fresh Node process that loads the bundle as Lambda loads its handler
 * (`import()` of `index.mjs`), then serves one invocation against dynalite (behind the transaction front) and capturing
 * EventBridge/AppSync endpoints, configured as the function's template configures it. Median of 20,
 * the subjects interleaved in every round. Beside the bare process, the Node floor: a process that
 * loads only the built-in modules the bundles load (https, tls, crypto, streams...), which no handler
 * that calls AWS over HTTPS avoids. Writes docs/bench/handlers.md. Run: `pnpm nx run core:bench`.
 *
 * BENCH_BASELINE_ASSEMBLY=<another cdk.out> measures that assembly's functions in the same rounds, as
 * the "before" rows.
 */
import { startCapturingBus, startCapturingGraphQL, startDynalite } from '@core/runtime/testing';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localVariables, readAssembly, type Assembly, type AssemblyFunction } from './support/assembly';
import { attribute, bundleFrames, bytesPerPackage, nodeFrames, readBundleMap } from './support/profile';
import { rebuildWithSourceMap } from './support/rebuild';
import { median, sampleInvocations, type SampleInvocations } from './support/invocations';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 20);
const PROFILES = 5;
const coreDir = join(__dirname, '..');
const repoRoot = join(coreDir, '..', '..');
const child = join(__dirname, 'cold-start-child.mjs');
const run = promisify(execFile);

interface Subject {
  readonly label: string;
  /** A function of BENCH_BASELINE_ASSEMBLY: measured, but neither profiled nor part of the floor. */
  readonly before: boolean;
  readonly fn: AssemblyFunction;
  readonly env: Record<string, string>;
  readonly samples: {
    initMs: number[];
    initCpuMs: number[];
    importMs: number[];
    firstInvokeMs: number[];
    processMs: number[];
  };
}

/** Wall time of one child process, spawn to exit, and what it printed last. */
async function timed(args: string[], env: Record<string, string>): Promise<{ ms: number; line: string }> {
  const started = process.hrtime.bigint();
  const { stdout } = await run(process.execPath, [child, ...args], { env, encoding: 'utf8' });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, line: stdout.trim().split('\n').at(-1) ?? '' };
}

interface Bare {
  readonly ms: number[];
  readonly cpuMs: number[];
  /** The Node floor: the built-in modules the bundles load, and nothing else. */
  readonly builtins: readonly string[];
  readonly floorMs: number[];
  readonly floorCpuMs: number[];
}

/** The public built-in modules loading any of the bundles loads (beyond a bare process). */
async function builtinsOf(subjects: readonly Subject[]): Promise<string[]> {
  const names = new Set<string>();
  for (const subject of subjects) {
    const { line } = await timed(['--list-builtins', subject.fn.bundle], subject.env);
    for (const name of JSON.parse(line) as string[]) names.add(name);
  }
  return [...names];
}

const cpuOf = (line: string) => (JSON.parse(line) as { cpuMs: number }).cpuMs;

async function measureRound(subjects: Subject[], bare: Bare, invocations: SampleInvocations): Promise<void> {
  const baseline = await timed([], { PATH: process.env['PATH'] ?? '' });
  bare.ms.push(baseline.ms);
  bare.cpuMs.push(cpuOf(baseline.line));
  const floor = await timed(['--builtins', bare.builtins.join(',')], { PATH: process.env['PATH'] ?? '' });
  bare.floorMs.push(floor.ms);
  bare.floorCpuMs.push(cpuOf(floor.line));
  for (const subject of subjects) {
    const init = await timed([subject.fn.bundle], subject.env);
    subject.samples.initMs.push(init.ms);
    subject.samples.initCpuMs.push(cpuOf(init.line));
    const event = JSON.stringify(invocations.next(subject.fn.name));
    const { ms, line } = await timed([subject.fn.bundle, event, subject.fn.exportName], subject.env);
    const sample = JSON.parse(line) as { importMs: number; firstInvokeMs: number; outcome: string };
    if (sample.outcome !== 'ok') throw new Error(`${subject.label} failed its first invocation: ${sample.outcome}`);
    subject.samples.importMs.push(sample.importMs);
    subject.samples.firstInvokeMs.push(sample.firstInvokeMs);
    subject.samples.processMs.push(ms);
  }
}

interface Breakdown {
  readonly label: string;
  readonly bytes: Map<string, number>;
  readonly importMs: Map<string, number>;
  readonly invokeMs: Map<string, number>;
}

/** PROFILES profiled cold starts of one function, summarised per package (mean milliseconds). */
async function profileOf(subject: Subject, invocations: SampleInvocations): Promise<Breakdown | undefined> {
  if (subject.fn.entry === undefined) return undefined;
  const bundle = await rebuildWithSourceMap(subject.fn.entry, subject.fn.bundle, repoRoot);
  const map = readBundleMap(`${bundle}.map`);
  const sum = (into: Map<string, number>, from: Map<string, number>) => {
    for (const [name, ms] of from) into.set(name, (into.get(name) ?? 0) + ms / PROFILES);
  };
  const importMs = new Map<string, number>();
  const invokeMs = new Map<string, number>();
  for (let i = 0; i < PROFILES; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
    const event = JSON.stringify(invocations.next(subject.fn.name));
    await timed([bundle, event, subject.fn.exportName, '--profile', dir], subject.env);
    const read = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.cpuprofile`), 'utf8'));
    const owners = [bundleFrames(bundle, map), nodeFrames];
    sum(importMs, attribute(read('import'), owners));
    sum(invokeMs, attribute(read('invoke'), owners));
  }
  return { label: subject.label, bytes: bytesPerPackage(map, readFileSync(bundle, 'utf8')), importMs, invokeMs };
}

async function createTables(assembly: Assembly, client: Awaited<ReturnType<typeof startDynalite>>['client']) {
  for (const table of assembly.tables) {
    await client.send(
      new CreateTableCommand({
        TableName: table.logicalId,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: table.keySchema,
        AttributeDefinitions: table.attributes,
      }),
    );
  }
}

async function main(): Promise<void> {
  const load = loadavg();
  const assembly = readAssembly(join(coreDir, 'cdk.out'));
  const baselineDir = process.env['BENCH_BASELINE_ASSEMBLY'];
  const baseline = baselineDir === undefined ? undefined : readAssembly(baselineDir);
  const [dynamo, bus, appsync] = await Promise.all([startDynalite(), startCapturingBus(), startCapturingGraphQL()]);
  await createTables(assembly, dynamo.client);
  const runtimeEnv = {
    PATH: process.env['PATH'] ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-token',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
  };
  const local = { tableName: (id: string) => id, eventBusName: 'core', graphqlUrl: appsync.url };
  const subjectsOf = (from: Assembly, suffix: string): Subject[] =>
    from.functions.map((fn) => ({
      label: `${fn.name}${suffix}`,
      before: suffix !== '',
      fn,
      env: { ...runtimeEnv, ...localVariables(from, fn, local) },
      samples: { initMs: [], initCpuMs: [], importMs: [], firstInvokeMs: [], processMs: [] },
    }));
  const invocations = sampleInvocations(bus.accepted);
  const subjects = invocations.ordered([
    ...subjectsOf(assembly, ''),
    ...(baseline ? subjectsOf(baseline, ' (before)') : []),
  ]);
  const builtins = await builtinsOf(subjects.filter((each) => !each.before));
  const bare: Bare = { ms: [], cpuMs: [], builtins, floorMs: [], floorCpuMs: [] };
  for (let round = 0; round < RUNS; round++) await measureRound(subjects, bare, invocations);
  const breakdowns: Breakdown[] = [];
  for (const subject of subjects.filter((each) => !each.before)) {
    const breakdown = await profileOf(subject, invocations);
    if (breakdown !== undefined) breakdowns.push(breakdown);
  }
  await Promise.all([dynamo.close(), bus.close(), appsync.close()]);
  const report = renderReport({
    baselineDir,
    subjects,
    bare: median(bare.ms),
    bareCpu: median(bare.cpuMs),
    floor: { ms: median(bare.floorMs), cpuMs: median(bare.floorCpuMs), builtins: bare.builtins },
    breakdowns,
    loadBefore: load,
    loadAfter: loadavg(),
  });
  writeFileSync(join(repoRoot, 'docs', 'bench', 'handlers.md'), report);
  console.log(report);
}

interface ReportInput {
  readonly baselineDir: string | undefined;
  readonly subjects: Subject[];
  readonly bare: number;
  readonly bareCpu: number;
  readonly floor: { readonly ms: number; readonly cpuMs: number; readonly builtins: readonly string[] };
  readonly breakdowns: Breakdown[];
  readonly loadBefore: number[];
  readonly loadAfter: number[];
}

function renderReport(input: ReportInput): string {
  const { bare } = input;
  const rows = input.subjects.map((subject) => {
    const { initMs, initCpuMs, importMs, firstInvokeMs, processMs } = subject.samples;
    const init = median(initMs);
    const initCpu = median(initCpuMs);
    const kib = statSync(subject.fn.bundle).size / 1024;
    return `| ${subject.label} | ${kib.toFixed(0)} | ${init.toFixed(1)} | **${(init / bare).toFixed(2)}×** | ${initCpu.toFixed(1)} | ${(initCpu / input.bareCpu).toFixed(2)}× | ${median(importMs).toFixed(1)} | **${median(firstInvokeMs).toFixed(1)}** | ${median(processMs).toFixed(1)} | ${((init + median(firstInvokeMs)) / bare).toFixed(2)}× |`;
  });
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  return `# Handler bundles and cold starts

Measured by \`${input.baselineDir === undefined ? '' : `BENCH_BASELINE_ASSEMBLY=${input.baselineDir} `}pnpm nx run core:bench\` (apps/core/bench/handlers.ts) on ${new Date().toISOString().slice(0, 10)}:
Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average
${load(input.loadBefore)} at the start and ${load(input.loadAfter)} at the end (1, 5, 15 minutes). Every
function in \`apps/core/cdk.out\` (the bundles that deploy), each the median of ${input.subjects[0]?.samples.initMs.length ?? 0} fresh Node
processes, every subject once per round. A bare Node process (the same child script, loading nothing)
takes **${bare.toFixed(1)} ms** from spawn to exit here (${input.bareCpu.toFixed(1)} ms of CPU). Lambda's own init (arm64, 512 MB) differs in
absolute terms; the ratios and the sizes carry over.

**The Node floor.** A process that loads only the built-in modules the bundles load (${input.floor.builtins.length}:
${input.floor.builtins.map((name) => `\`${name}\``).join(', ')}) and nothing of
the bundles takes **${input.floor.ms.toFixed(1)} ms**, **${(input.floor.ms / bare).toFixed(2)}×** the bare process (${input.floor.cpuMs.toFixed(1)} ms of CPU,
${(input.floor.cpuMs / input.bareCpu).toFixed(2)}×), in the same rounds. Every handler calls DynamoDB, EventBridge or AppSync over HTTPS
with signed requests, so none gets below it; what a bundle adds is its init minus ${input.floor.ms.toFixed(1)} ms.${
    input.baselineDir === undefined
      ? ''
      : ` Rows marked (before) are the functions of another assembly, ${input.baselineDir}, measured in the same rounds (\`BENCH_BASELINE_ASSEMBLY\`).`
  }

| function | bundle (KiB) | init (ms) | init vs bare | init CPU (ms) | init CPU vs bare | import (ms) | first invocation (ms) | process with first invocation (ms) | init + first invocation vs bare |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

- **init**: a process that loads the bundle as Lambda loads its handler (\`import()\` of \`index.mjs\`;
  an \`index.js\` would be \`require()\`d) and exits, from spawn to exit; compared with the bare
  process. Target: at most 1.3×.
- **init CPU**: the CPU time of that process (all its threads), which other load on the machine
  inflates less than the wall time.
- **import**: the same, inside the process: from before the \`import()\` to the module evaluated.
- **first invocation**: building the SDK clients (once per execution environment) and serving one
  request, including the DynamoDB, EventBridge and AppSync round trips on loopback. Target: at most 30 ms.
- **bundle**: target at most 250 KiB.

## Where the time goes

A CPU profile (V8's sampling profiler, every 100 µs) of ${PROFILES} more cold starts of each function,
mean milliseconds per cold start. The bundle is rebuilt with the same esbuild settings and a source map
(and checked to be byte for byte the one in cdk.out); each sampled frame is mapped to the package its
code came from. Time in Node's own code is charged to the package whose code called it; what runs with
no bundle frame on the stack is named by what Node was doing: compiling the bundle, loading the
built-in modules it imports, collecting garbage, or running its own JavaScript (the ES module loader
during the import; sockets and HTTP during the invocation). \`bundle: module evaluation\` is the
top-level code of every package at once (the bundle is one scope-hoisted module). Profiling slows
everything down, so the totals are above the medians above; the shares are what the profile is for.

${input.breakdowns.map(renderBreakdown).join('\n\n')}
`;
}

function renderBreakdown(breakdown: Breakdown): string {
  const names = new Set([...breakdown.importMs.keys(), ...breakdown.invokeMs.keys()]);
  const total = (values: Map<string, number>) => [...values.values()].reduce((sum, ms) => sum + ms, 0);
  const rows = [...names]
    .map((name) => ({
      name,
      kib: (breakdown.bytes.get(name) ?? 0) / 1024,
      import: breakdown.importMs.get(name) ?? 0,
      invoke: breakdown.invokeMs.get(name) ?? 0,
    }))
    .filter((row) => row.import + row.invoke >= 0.2 || row.kib >= 1)
    .sort((a, b) => b.import + b.invoke - (a.import + a.invoke));
  return `### ${breakdown.label}

| package or activity | KiB in bundle | import (ms) | first invocation (ms) |
|---|---:|---:|---:|
${rows.map((row) => `| ${row.name} | ${row.kib >= 0.05 ? row.kib.toFixed(1) : ''} | ${row.import.toFixed(1)} | ${row.invoke.toFixed(1)} |`).join('\n')}
| **total** | **${([...breakdown.bytes.values()].reduce((sum, bytes) => sum + bytes, 0) / 1024).toFixed(1)}** | **${total(breakdown.importMs).toFixed(1)}** | **${total(breakdown.invokeMs).toFixed(1)}** |`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
