/**
 * Benchmark: bundle size and cold start of every Lambda handler, measured on the bundles in
 * cdk.out (the ones that deploy). A cold start is a fresh Node process that loads the bundle and
 * serves its first invocation against dynalite (and capturing bus/AppSync endpoints); median of 20.
 * Writes docs/bench/handlers.md. Run: `pnpm nx run core:bench`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createEventsTable, startCapturingBus, startCapturingGraphQL, startDynalite } from '@core/runtime/testing';

const RUNS = 20;
const coreDir = join(__dirname, '..');
const repoRoot = join(coreDir, '..', '..');
const assembly = join(coreDir, 'cdk.out');

interface Sample {
  importMs: number;
  firstInvokeMs: number;
  totalMs: number;
  outcome: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2 : (sorted[middle] ?? 0);
}

/** The bundle file of each function in the synthesized template, by construct path. */
function handlerBundles(): { name: string; file: string }[] {
  const template = JSON.parse(readFileSync(join(assembly, 'Core.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => {
      const path = resource.Metadata?.['aws:cdk:path'] ?? '';
      return {
        name: path.split('/').slice(1, -1).join('/'),
        file: join(assembly, resource.Metadata?.['aws:asset:path'] ?? '', 'index.mjs'),
      };
    });
}

/** Runs one cold start; asynchronously, since the endpoints it calls live in this process. */
async function coldStart(file: string, event: unknown, env: Record<string, string>): Promise<Sample> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(__dirname, 'cold-start-child.mjs'), file, JSON.stringify(event)],
    {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Sample;
}

function bareNode(): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', '0']);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
}

async function wallClock(
  file: string,
  event: unknown,
  env: Record<string, string>,
): Promise<{ wallMs: number; sample: Sample }> {
  const started = process.hrtime.bigint();
  const sample = await coldStart(file, event, env);
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, sample };
}

async function main(): Promise<void> {
  const dynamo = await startDynalite();
  const bus = await startCapturingBus();
  const appsync = await startCapturingGraphQL();
  await createEventsTable(dynamo.client, 'bench-events');
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    EVENTS_TABLE_NAME: 'bench-events',
    EVENT_BUS_NAME: 'core',
    EVENT_SOURCE: 'core.reservation',
    GRAPHQL_URL: appsync.url,
    COMMAND_DEADLINE_MS: '60000',
  };
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  let run = 0;
  const eventFor = (name: string): unknown => {
    run += 1;
    if (name.endsWith('CommandHandler')) {
      return {
        arguments: {
          input: { userId: 'u', roomId: 'r', dateStart: day(3), dateEnd: day(5), commandId: `bench-${run}` },
        },
        identity: null,
        info: { fieldName: 'createReservation', parentTypeName: 'Mutation' },
      };
    }
    if (name.endsWith('QueryHandler')) {
      return {
        arguments: { id: 'bench-stream' },
        identity: null,
        info: { fieldName: 'getReservationById', parentTypeName: 'Query' },
      };
    }
    const commit = {
      aggregate: 'reservation',
      streamId: `bench-stream-${run}`,
      commitId: `bench-commit-${run}`,
      expectedVersion: 0,
      correlationId: 'bench',
      deadline: new Date(Date.now() + 60_000).toISOString(),
      events: [
        {
          id: `e-${run}`,
          type: 'ReservationRequested',
          streamId: `bench-stream-${run}`,
          version: 1,
          data: { reservationId: `bench-stream-${run}`, userId: 'u', roomId: 'r', dateStart: day(3), dateEnd: day(5) },
          occurredAt: new Date().toISOString(),
          correlationId: 'bench',
          causationId: `bench-commit-${run}`,
          actor: { kind: 'system', id: 'bench' },
          deadline: new Date(Date.now() + 60_000).toISOString(),
        },
      ],
    };
    return { id: `evt-${run}`, source: 'core.reservation', 'detail-type': 'Commit', detail: commit };
  };

  const bare = bareNode();
  const rows: string[] = [];
  for (const { name, file } of handlerBundles()) {
    const walls: number[] = [];
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { wallMs, sample } = await wallClock(file, eventFor(name), env);
      if (sample.outcome !== 'ok') throw new Error(`${name} failed its first invocation: ${sample.outcome}`);
      walls.push(wallMs);
      samples.push(sample);
    }
    const kb = statSync(file).size / 1024;
    rows.push(
      `| ${name} | ${kb.toFixed(0)} | ${median(samples.map((s) => s.importMs)).toFixed(1)} | ${median(samples.map((s) => s.firstInvokeMs)).toFixed(1)} | ${median(walls).toFixed(1)} | ${(median(walls) / bare).toFixed(2)}x |`,
    );
    console.log(rows.at(-1));
  }
  await Promise.all([dynamo.close(), bus.close(), appsync.close()]);

  const report = `# Handler bundles and cold starts

Measured by \`pnpm nx run core:bench\` (apps/core/bench/handlers.ts) on ${new Date().toISOString().slice(0, 10)}:
Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}. Each row is the median of ${RUNS}
fresh Node processes that load the bundle from \`apps/core/cdk.out\` (the one that deploys) and serve its first
invocation against dynalite and capturing EventBridge/AppSync endpoints on 127.0.0.1. A bare \`node -e 0\`
process takes ${bare.toFixed(1)} ms here. Lambda's own init (arm64, 512 MB) differs in absolute terms; the
ratios and the sizes carry over.

| function | bundle (KB) | import (ms) | first invocation (ms) | whole process (ms) | vs bare Node |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

- **import**: loading and evaluating the bundle (what Lambda bills as init).
- **first invocation**: building the SDK clients (once per cold start) and serving one request, including
  the DynamoDB/EventBridge/AppSync round trips on loopback.
- **whole process**: wall time of the process from spawn to exit, compared with a bare Node process.
`;
  writeFileSync(join(repoRoot, 'docs', 'bench', 'handlers.md'), report);
  console.log(`wrote docs/bench/handlers.md`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
