/**
 * The crash test: the local core runs in a process group of its own on a data folder; front-end
 * servers load it; in the middle of the load (commands accepted and not yet notified), the whole
 * process group is killed (`kill -9`). The core is started again on the same folder, and once every
 * deadline has passed, every accepted command's outcome query is final and agrees with what was
 * notified before the crash (the invariant checker, over the store the restart left).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { bootLocalCore, type LocalCore } from '@core/local';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from '../scripts/front-end-client';
import { ContractDriver, checkLocalCore, createReservationInput } from './support/contract-driver';
import { LOCAL_STACK } from '../scripts/local-stack';

const armTimer = globalThis.setTimeout;
Object.assign(globalThis, { setTimeout: (...args: Parameters<typeof setTimeout>) => armTimer(...args).unref() });

const coreDir = join(__dirname, '..');
const CLIENTS = 8;

/** Starts the core in its own process group; resolves with its endpoint once it serves. */
function startCoreProcess(dataDir: string): Promise<{ child: ChildProcess; endpoint: Endpoint }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '-r', 'ts-node/register/transpile-only', 'test/support/local-core-process.ts', dataDir],
    { cwd: coreDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const ready = /^READY (.*)$/m.exec(output);
      if (ready?.[1] !== undefined) resolve({ child, endpoint: JSON.parse(ready[1]) as Endpoint });
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) =>
      reject(new Error(`the core process exited (${String(code)}) before it served:\n${output}`)),
    );
  });
}

describe('a crash of the local core (kill -9 of its process group) in the middle of a load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-core-crash-'));
  let restarted: LocalCore | undefined;
  afterAll(async () => {
    await restarted?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no accepted command: after the restart, every outcome is final and agrees with what was notified', async () => {
    const { child, endpoint } = await startCoreProcess(dataDir);
    const clients = Array.from({ length: CLIENTS }, () => new ContractDriver(endpoint));
    const accepted = () => clients.flatMap((client) => client.commands).filter((command) => command.answer.accepted);
    const unsettled = () => {
      const notified = new Set(clients.flatMap((client) => client.notifications.map((n) => n.commandId)));
      return accepted().filter((command) => !notified.has(command.commandId)).length;
    };
    let killed = false;
    const load = clients.map(async (client, c) => {
      for (let n = 0; !killed; n++) await client.create(createReservationInput(c * 1000 + n), `crash-${c}-${n}`);
    });
    while (!(accepted().length >= 20 && unsettled() >= 3) && accepted().length < 200)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const unsettledAtKill = unsettled();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    killed = true;
    await exited; // reaped: its pid no longer holds the data folder
    await Promise.all(load);
    for (const client of clients) client.close();
    expect(unsettledAtKill).toBeGreaterThan(0);

    const restartLines: string[] = [];
    restarted = await bootLocalCore({
      stacks: [LOCAL_STACK],
      assemblyDir: join(coreDir, 'cdk.out'),
      dataDir,
      port: 0,
      log: (line) => restartLines.push(line),
    });
    // What the crash cut short was journalled and is resumed: bus events and queued invocations.
    const resumed = /resuming what the last run left unfinished: (\d+) bus event\(s\), (\d+) asynchronous/
      .exec(restartLines.join('\n'))
      ?.slice(1)
      .reduce((sum, n) => sum + Number(n), 0);
    expect(resumed).toBeGreaterThan(0);
    const lastDeadline = Math.max(
      ...accepted().map((command) => (command.answer.accepted ? Date.parse(command.answer.deadline) : 0)),
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastDeadline - Date.now()) + 500));
    await restarted.idle();

    const reader = new ContractDriver(restarted);
    for (const command of accepted())
      if (command.answer.accepted) await reader.readOutcome(command.answer.streamId, command.commandId);
    reader.close();
    expect(reader.outcomes.filter((outcome) => outcome.status === 'PENDING')).toEqual([]);
    const report = await checkLocalCore(restarted, [...clients, reader]);
    expect(report.violations).toEqual([]);
    expect(report.summary.accepted).toBe(accepted().length);
  }, 120_000);
});

describe('a clean stop of the local core', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-core-stop-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finishes the work in flight before it closes connections: every accepted command is notified, nothing is left', async () => {
    const boot = (lines: string[]) =>
      bootLocalCore({
        stacks: [LOCAL_STACK],
        assemblyDir: join(coreDir, 'cdk.out'),
        dataDir,
        port: 0,
        log: (line) => lines.push(line),
      });
    const core = await boot([]);
    const client = new ContractDriver(core);
    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => client.create(createReservationInput(n), `stop-${n}`)),
    );
    expect(answers.every((answer) => answer.accepted)).toBe(true);
    const notifiedBeforeStop = client.notifications.length;
    await core.stop(); // at once: the deliveries, invocations and notifications are still under way
    client.close();
    expect(notifiedBeforeStop).toBeLessThan(6);
    expect(client.notifications.map((notification) => notification.status)).toEqual(Array(6).fill('STORED'));

    const lines: string[] = [];
    const again = await boot(lines);
    try {
      expect(lines.filter((line) => /resuming/.test(line))).toEqual([]);
      expect((await checkLocalCore(again, [client])).violations).toEqual([]);
    } finally {
      await again.stop();
    }
  }, 60_000);
});
