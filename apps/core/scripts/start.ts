/**
 * The run command (`pnpm start`): boots the development stage (`CoreDev`) from apps/core/cdk.out
 * (Nx runs the synth first, and only when the app changed), keeps data under .local/, prints the
 * endpoints, then one line per step of each command's journey. `--watch` re-synthesizes and reloads when a source changes.
 *
 * Beside it, the demo web app (apps/demo-web) serves the hotel journey in a browser, as a front-end
 * server signed with the local front-end credentials.
 *
 * Environment: PORT (default 4000), LOCAL_API_KEY, LOCAL_TLS=1 (HTTPS/WSS with a generated
 * certificate), LOCAL_VERBOSE=1 (every function log line), DEMO_PORT (default 4001; `off` serves no demo),
 * LOCAL_FAULTS (a JSON fault configuration,
 * `{}` for none; it also serves `/_local/faults` to change them), LOCAL_DURATION_SCALE (shortens the
 * template's 60 s durations of the undelivered path, e.g. 0.05). Ctrl-C or SIGTERM stops cleanly:
 * in-flight work finishes (at most 10 s) before connections close; a second Ctrl-C exits at once.
 * What is still unfinished then is journalled in .local/ and resumes at the next start.
 */
import { startDemoServer, type DemoServer } from '@core/demo-web';
import { bootLocalCore, type LocalCore } from '@core/local';
import { spawnSync } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_STACK } from './local-stack';

const coreDir = join(__dirname, '..');
const repoRoot = join(coreDir, '..', '..');
const dataDir = join(repoRoot, '.local');
const watchMode = process.argv.includes('--watch');

async function boot(): Promise<LocalCore> {
  const core = await bootLocalCore({
    assemblyDir: join(coreDir, 'cdk.out'),
    stacks: [LOCAL_STACK],
    dataDir,
    port: Number(process.env.PORT ?? 4000),
    apiKey: process.env.LOCAL_API_KEY,
    tls: process.env.LOCAL_TLS === '1',
    verbose: process.env.LOCAL_VERBOSE === '1',
    ...faultsFromEnvironment(),
    ...(process.env.LOCAL_DURATION_SCALE === undefined
      ? {}
      : { durationScale: Number(process.env.LOCAL_DURATION_SCALE) }),
  });
  const functions = Object.keys(core.metrics().functions);
  console.log(
    [
      '',
      `  The core is running (${LOCAL_STACK}, booted in ${core.bootMs.toFixed(0)} ms from apps/core/cdk.out; data in .local/).`,
      '',
      `  GraphQL      ${core.graphqlUrl}`,
      `  Real-time    ${core.realtimeUrl}`,
      ...(core.apiKey === '' ? [] : [`  API key      ${core.apiKey}`]),
      `  IAM (front-end servers)  AWS_ACCESS_KEY_ID=${core.frontEndCredentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${core.frontEndCredentials.secretAccessKey}`,
      `  Functions    ${functions.join(', ')}`,
      ...(core.certificatePem === undefined
        ? []
        : [`  TLS          trust .local/tls/ca.pem (NODE_EXTRA_CA_CERTS=.local/tls/ca.pem)`]),
      '',
      `  Try it: pnpm demo   (endpoints and credentials are in .local/endpoint.json)`,
      `  Dead letters: pnpm dead-letters (list) · pnpm dead-letters redrive`,
      ...(process.env.LOCAL_FAULTS === undefined
        ? []
        : [
            `  Faults       ${JSON.stringify(core.faults.current())}; change them with PUT ${core.endpoint}/_local/faults`,
          ]),
      watchMode ? '  Watching apps/core/src and packages/*/src: a change re-synthesizes and reloads.' : '',
      '',
      'time          correlation    step      what',
    ].join('\n'),
  );
  return core;
}

/** Re-synthesizes through Nx (cached when nothing changed); false when the synth failed. */
function synth(): boolean {
  const result = spawnSync(
    join(repoRoot, 'node_modules', '.bin', 'nx'),
    ['run', 'core:synth', '--output-style=stream'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  return result.status === 0;
}

/**
 * The demo web app, a front-end server of the running core. It outlives a reload: its client
 * reconnects to the new core by itself.
 */
async function serveDemo(core: LocalCore): Promise<DemoServer | undefined> {
  if (process.env.DEMO_PORT === 'off') return undefined;
  try {
    const demo = await startDemoServer({
      core: {
        graphqlUrl: core.graphqlUrl,
        region: core.region,
        auth: { type: 'AWS_IAM', credentials: core.frontEndCredentials },
      },
      port: Number(process.env.DEMO_PORT ?? 4001),
    });
    console.log(`\n  Demo web app  ${demo.url}   (the hotel journey in a browser)\n`);
    return demo;
  } catch (error) {
    console.log(`\n  The demo web app did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

async function main(): Promise<void> {
  let core = await boot();
  const demo = await serveDemo(core);
  const watchers: FSWatcher[] = [];
  let stopping = false;
  const shutdown = async () => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait for the drain
    stopping = true;
    console.log('\n  Stopping: finishing in-flight work first (Ctrl-C again to quit at once)...');
    for (const watcher of watchers) watcher.close();
    await demo?.close();
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  if (!watchMode) return;

  let timer: NodeJS.Timeout | undefined;
  let reloading = false;
  const reload = async () => {
    if (reloading) return;
    reloading = true;
    console.log('\n  A source changed: synthesizing...');
    if (synth()) {
      await core.stop();
      core = await boot();
    } else {
      console.log('  The synth failed; the running core is unchanged.');
    }
    reloading = false;
  };
  const folders = [join(coreDir, 'src'), join(repoRoot, 'packages')];
  for (const folder of folders) {
    watchers.push(
      watch(folder, { recursive: true }, (_event, file) => {
        const name = String(file ?? '');
        if (/(^|\/)(node_modules|lib|cdk\.out|\.local)(\/|$)/.test(name) || !/\.(ts|graphql|json)$/.test(name)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void reload(), 300);
      }),
    );
  }
}

/** LOCAL_FAULTS: the faults to start with, and the control endpoint to change them. */
function faultsFromEnvironment(): { faults?: Record<string, unknown>; faultEndpoint?: boolean } {
  const text = process.env.LOCAL_FAULTS;
  if (text === undefined) return {};
  try {
    return { faults: JSON.parse(text) as Record<string, unknown>, faultEndpoint: true };
  } catch {
    throw new Error('LOCAL_FAULTS must be a JSON fault configuration, e.g. {"storeThrottling":{"rate":0.1}}');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
