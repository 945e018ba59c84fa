/**
 * A CPU profile of the command path while it runs in this process (the inspector's sampling profiler,
 * every 100 µs), summarised per package: each bundle's frames by its source map (prefixed with the
 * handler), dynalite and the transaction front by their files, Node's own code charged to the package
 * that called it. BENCH_PROFILE_FILE=<file> keeps the raw profile (for Chrome's DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import {
  bundleFrames,
  fileFrames,
  nodeFrames,
  readBundleMap,
  attribute,
  type CpuProfile,
  type FrameOwner,
} from './profile';

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

const prefixed =
  (prefix: string, owner: FrameOwner): FrameOwner =>
  (frame) => {
    const name = owner(frame);
    return name === undefined ? undefined : `${prefix}: ${name}`;
  };

export interface PathProfile {
  readonly millis: Map<string, number>;
  readonly seconds: number;
}

export async function profileWhile(
  work: () => Promise<unknown>,
  bundles: { command: string; event: string },
): Promise<PathProfile> {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
  session.disconnect();
  const keep = process.env['BENCH_PROFILE_FILE'];
  if (keep !== undefined) writeFileSync(keep, JSON.stringify(profile));
  const owners = [
    prefixed('command handler', bundleFrames(bundles.command, readBundleMap(`${bundles.command}.map`))),
    prefixed('event handler', bundleFrames(bundles.event, readBundleMap(`${bundles.event}.map`))),
    fileFrames,
    nodeFrames,
  ];
  return { millis: attribute(profile, owners), seconds };
}

/** `cpuMsPerCommand`: the CPU time per command measured without the profiler, which slows everything down. */
export function renderProfile(profile: PathProfile, commands: number, cpuMsPerCommand: number): string {
  const rows = [...profile.millis].filter(([name]) => name !== 'waiting for I/O').sort((a, b) => b[1] - a[1]);
  const busy = rows.reduce((sum, [, ms]) => sum + ms, 0);
  const top = rows.filter(([, ms]) => ms / commands >= 0.005);
  return `A CPU profile of ${commands} more commands (the same workload), per package, in microseconds of CPU
per command; Node's own work (HTTP, streams, timers) is charged to the package that asked for it.
The path was busy ${((busy / 1000 / profile.seconds) * 100).toFixed(0)} % of the ${profile.seconds.toFixed(1)} s it ran (the rest: waiting).

| package or activity | µs per command | share |
|---|---:|---:|
${top.map(([name, ms]) => `| ${name} | ${((ms / commands) * 1000).toFixed(0)} | ${((ms / busy) * 100).toFixed(1)} % |`).join('\n')}
| **all** | **${((busy / commands) * 1000).toFixed(0)}** | |

${storeShare(rows, cpuMsPerCommand)}`;
}

/** Packages of the local DynamoDB: dynalite, the transaction front, and the LevelDB stack under them. */
const STORE_PACKAGES =
  /^(dynalite|@core\/dynalite-transactions|level-transcoder|abstract-level|memory-level|lazy|lock|big\.js|buffer-crc32|functional-red-black-tree)$/;

/** What the local DynamoDB alone costs per command (its share of the profile), against 600 commands/s on one thread. */
function storeShare(rows: readonly (readonly [string, number])[], cpuMsPerCommand: number): string {
  const all = rows.reduce((sum, [, ms]) => sum + ms, 0);
  const share = rows.filter(([name]) => STORE_PACKAGES.test(name)).reduce((sum, [, ms]) => sum + ms, 0) / all;
  return `The local DynamoDB alone (dynalite, its transaction front and the LevelDB packages under them) is
${(share * 100).toFixed(0)} % of the profile, before its HTTP server's share of Node's own work: of the ${cpuMsPerCommand.toFixed(2)} ms of CPU a
command takes unprofiled, about ${((share * cpuMsPerCommand * 1000) / 1000).toFixed(1)} ms. The path's JavaScript (the handlers, the store
and the harness) shares the main thread, so 600 commands/s would leave ${(1000 / 600).toFixed(2)} ms of it per command
for everything: the store alone is past it, whatever the handlers cost.`;
}
