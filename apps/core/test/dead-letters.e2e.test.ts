/**
 * The dead-letter tool against the local core: what the dead-letter handler could not settle five
 * times is parked in `DeadLetters`; the tool lists it with its reason and redrives it to `Undelivered`,
 * where it is settled and notified. A redrive never stores an expired commit: it notifies REJECTED
 * TIMEOUT. The template's durations run at 2% (`durationScale: 0.02`: 60 s become 1.2 s).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { bootLocalCore, type LocalCore } from '@core/local';
import { reservationDecider } from '@core/reservation';
import { fold, toCommit } from '@core/runtime';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDeadLetterQueues, listDeadLetters, redriveDeadLetters, sqsClientFor } from '../scripts/dead-letters';
import { ContractDriver, checkLocalCore, createReservationInput, readStores } from './support/contract-driver';
import { LOCAL_STACK } from '../scripts/local-stack';

const armTimer = globalThis.setTimeout;
Object.assign(globalThis, { setTimeout: (...args: Parameters<typeof setTimeout>) => armTimer(...args).unref() });

const coreDir = join(__dirname, '..');

/** A reservation commit whose deadline passed a minute ago, as a bus event (what a dead letter's body is). */
function expiredCommitEvent(commandId: string, streamId: string): string {
  const input = createReservationInput(99);
  const events = [
    {
      type: 'ReservationRequested' as const,
      data: {
        reservationId: streamId,
        userId: input.userId ?? '',
        roomId: input.roomId ?? '',
        dateStart: input.dateStart ?? '',
        dateEnd: input.dateEnd ?? '',
      },
    },
  ];
  const now = new Date(Date.now() - 70_000);
  const commit = toCommit(events, {
    aggregate: 'reservation',
    streamId,
    expectedVersion: 0,
    commandId,
    fingerprint: 'expired-fingerprint',
    correlationId: commandId,
    actor: { kind: 'system', id: 'test' },
    now,
    deadline: new Date(now.getTime() + 10_000),
    state: fold(reservationDecider, events),
    reducerVersion: reservationDecider.reducerVersion,
    previousCommits: [],
  });
  return JSON.stringify({
    version: '0',
    id: `event-${commandId}`,
    'detail-type': 'Commit',
    source: 'core.reservation',
    account: '000000000000',
    time: now.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: commit,
  });
}

describe('the dead-letter tool', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-core-dead-letters-'));
  const endpointFile = join(dataDir, 'endpoint.json');
  let core: LocalCore;
  let sqs: SQSClient;
  const drivers: ContractDriver[] = [];
  // The reservation's; the saga's commands park their own commits in the other aggregates' queues.
  const deadLetters = () => [...core.queues].find(([name]) => name.includes('ReservationDeadLetters'))?.[1];
  const deadLetterQueueNames = () => [...core.queues.keys()].filter((name) => name.includes('DeadLetters')).sort();
  /**
   * Redrives until every queue is empty once the core is idle. Redrive first: a saga execution waits
   * for the outcome of a parked commit, so the core is not idle before it is redriven; and a message
   * still invisible in an undelivered queue may yet be parked.
   */
  const drainDeadLetters = async () => {
    const empty = () => [...core.queues.values()].every((queue) => queue.messages.length === 0);
    for (const until = Date.now() + 60_000; Date.now() < until;) {
      const moved = await redriveDeadLetters(sqs, await findDeadLetterQueues(sqs));
      await core.idle();
      if (moved === 0 && empty()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the queues did not empty');
  };

  beforeAll(async () => {
    core = await bootLocalCore({
      stacks: [LOCAL_STACK],
      assemblyDir: join(coreDir, 'cdk.out'),
      dataDir,
      port: 0,
      durationScale: 0.02,
      log: () => undefined,
    });
    sqs = sqsClientFor(['--endpoint-file', endpointFile]);
  });
  afterAll(async () => {
    for (const driver of drivers) driver.close();
    sqs.destroy();
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists a commit the dead-letter handler could not settle, with its reason, and a redrive notifies it', async () => {
    const client = new ContractDriver(core);
    drivers.push(client);
    core.faults.set({ notifierDown: {} });
    const answer = await client.create(createReservationInput(1), 'parked-1');
    expect(answer.accepted).toBe(true);
    for (let wait = 0; (deadLetters()?.messages.length ?? 0) === 0; wait++) {
      if (wait > 200) throw new Error('nothing reached DeadLetters');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    core.faults.set({});

    const queues = await findDeadLetterQueues(sqs);
    expect(queues.map((queue) => queue.name).sort()).toEqual(deadLetterQueueNames());
    for (const queue of queues) expect(queue.sources).toEqual([expect.stringContaining('Undelivered')]);
    const letters = await listDeadLetters(sqs, queues);
    expect(letters).toContainEqual(
      expect.objectContaining({
        kind: 'Commit',
        commandId: 'parked-1',
        expired: false,
        reason: expect.stringMatching(/503|NOTIFY/),
      }),
    );
    expect(client.notified('parked-1')).toEqual([]);

    expect(await redriveDeadLetters(sqs, queues)).toBeGreaterThanOrEqual(1);
    const [notified] = await client.waitForNotifications('parked-1');
    expect(notified).toMatchObject({ status: 'STORED', version: 1 });
    await drainDeadLetters();
    expect(deadLetters()?.messages).toEqual([]);
    expect((await checkLocalCore(core, [client])).violations).toEqual([]);
  }, 120_000);

  it('never stores an expired commit it redrives: it is notified REJECTED TIMEOUT', async () => {
    const client = new ContractDriver(core);
    drivers.push(client);
    const streamId = 'expired-reservation-1';
    const queue = (await findDeadLetterQueues(sqs)).find(({ name }) => name.includes('ReservationDeadLetters'));
    expect(await client.readOutcome(streamId, 'expired-1')).toMatchObject({ status: 'PENDING' });
    await client.watch('expired-1');
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue?.url, MessageBody: expiredCommitEvent('expired-1', streamId) }),
    );

    // The command-line tool lists it (as a developer runs it: pnpm dead-letters).
    // Not spawnSync: the core it talks to runs in this process.
    const listed = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=source',
        '-r',
        'ts-node/register/transpile-only',
        'scripts/dead-letters.ts',
        'list',
        '--endpoint-file',
        endpointFile,
      ],
      { cwd: coreDir, encoding: 'utf8' },
    );
    expect(listed.stdout).toMatch(/ReservationDeadLetters[^\n]*: 1\n/);
    expect(listed.stdout).toMatch(/Commit expired-1 of expired-reservation-1 {2}expired/);

    expect(await redriveDeadLetters(sqs, queue === undefined ? [] : [queue])).toBe(1);
    const [notified] = await client.waitForNotifications('expired-1');
    expect(notified).toMatchObject({ status: 'REJECTED', code: 'TIMEOUT' });
    expect(await client.readOutcome(streamId, 'expired-1')).toMatchObject({ status: 'REJECTED', code: 'TIMEOUT' });
    expect(await client.readReservation(streamId)).toBeNull();
    expect((await readStores(core)).commits.filter((commit) => commit.commitId === 'expired-1')).toEqual([]);
    expect((await checkLocalCore(core, [client])).violations).toEqual([]);
  }, 120_000);
});
