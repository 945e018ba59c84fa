/**
 * Each fault of the local runtime, injected into the whole local core (booted from cdk.out) while a
 * front-end server drives it: the test states the outcome the answer contract promises, and checks it
 * with the invariant checker. The template's 60 s (maximum event age, visibility timeout) run at 3 s
 * here (`durationScale: 0.05`); the command deadline stays the template's 10 s.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { bootLocalCore, type FaultConfig, type LocalCore } from '@core/local';
import { join } from 'node:path';
import { ContractDriver, checkLocalCore, createReservationInput } from './support/contract-driver';
import { LOCAL_STACK } from '../scripts/local-stack';

const armTimer = globalThis.setTimeout;
Object.assign(globalThis, { setTimeout: (...args: Parameters<typeof setTimeout>) => armTimer(...args).unref() });

const assemblyDir = join(__dirname, '..', 'cdk.out');
// The bus faults are aimed at the reservation's event handler: the saga's rule on the same commits is delivered as usual.
const EVENT_HANDLER = 'ReservationEventHandler';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const summary = (notifications: { status: string; version?: number | null; code?: string | null }[]) =>
  notifications.map(({ status, version, code }) => (status === 'STORED' ? `STORED v${version}` : `REJECTED ${code}`));

describe('faults injected into the local core', () => {
  let core: LocalCore;
  const lines: string[] = [];
  const drivers: ContractDriver[] = [];
  const driver = () => {
    const made = new ContractDriver(core);
    drivers.push(made);
    return made;
  };
  const withFault = async <T>(faults: FaultConfig, run: (client: ContractDriver) => Promise<T>): Promise<T> => {
    core.faults.set(faults);
    return run(driver());
  };
  const checked = async (client: ContractDriver) => (await checkLocalCore(core, [client])).violations;
  const queued = (name: string) => [...core.queues].find(([queueName]) => queueName.includes(name))?.[1].messages ?? [];

  beforeAll(async () => {
    core = await bootLocalCore({
      stacks: [LOCAL_STACK],
      assemblyDir,
      port: 0,
      durationScale: 0.05,
      log: (line) => lines.push(line),
    });
  });
  afterEach(() => core.faults.set({}));
  afterAll(async () => {
    for (const each of drivers) each.close();
    await core.stop();
  });

  it('a delivery dropped (every attempt fails until the event goes to Undelivered): the dead-letter handler stores it, STORED', async () => {
    await withFault({ deliveryDropped: { times: 1, target: EVENT_HANDLER } }, async (client) => {
      const answer = await client.create(createReservationInput(1), 'dropped-1');
      expect(answer.accepted).toBe(true);
      expect(summary(await client.waitForNotifications('dropped-1'))).toEqual(['STORED v1']);
      await core.idle(); // the queue's delete follows the handler's answer
      expect(core.faults.injected().deliveryDropped).toBe(1);
      expect(lines.some((line) => /DeadLetterHandler/.test(line) && /stored/.test(line))).toBe(true);
      expect(queued('ReservationUndelivered')).toEqual([]);
      expect(await checked(client)).toEqual([]);
    });
  });

  it('a duplicate delivery: stored once, the same STORED notified for each delivery', async () => {
    await withFault({ duplicateDelivery: { times: 1, target: EVENT_HANDLER } }, async (client) => {
      await client.create(createReservationInput(2), 'duplicate-1');
      expect(summary(await client.waitForNotifications('duplicate-1', 2))).toEqual(['STORED v1', 'STORED v1']);
      expect(core.faults.injected().duplicateDelivery).toBe(1);
      expect(await checked(client)).toEqual([]);
    });
  });

  it('two commits of one stream, decided on one version, delivered out of order: the one delivered first is stored, the held one REJECTED CONFLICT', async () => {
    const client = driver();
    const input = await client.bookableInput(3);
    await core.idle();
    const created = await client.create(input, 'order-0');
    await client.waitForNotifications('order-0');
    if (!created.accepted) throw new Error('the create was refused');
    await core.idle(); // the saga confirms the reservation
    const { version } = (await client.readReservation(created.streamId)) as { version: number };
    // Every delivery to the event handler waits for the next one of its stream (no `times`: a saga
    // command of another stream still under way must not take the one reordering).
    core.faults.set({ reorderStream: { holdMs: 5_000, target: EVENT_HANDLER } });
    await client.cancel(created.streamId, 'order-earlier');
    await client.cancel(created.streamId, 'order-later');
    // Which one is held depends on which delivery reaches the bus first (under load, not always the
    // first sent); either way the held one comes second and loses the version.
    const outcomes = [
      ...summary(await client.waitForNotifications('order-later')),
      ...summary(await client.waitForNotifications('order-earlier')),
    ];
    expect(outcomes.sort()).toEqual(['REJECTED CONFLICT', `STORED v${version + 1}`]);
    expect(core.faults.injected().reorderStream).toBeGreaterThanOrEqual(1);
    expect(await checked(client)).toEqual([]);
  });

  it('the event handler dying after the write, before the notification: settled from Undelivered, STORED once', async () => {
    await withFault({ crashAfterWrite: { times: 1 } }, async (client) => {
      await client.create(createReservationInput(4), 'crash-1');
      expect(summary(await client.waitForNotifications('crash-1'))).toEqual(['STORED v1']);
      expect(core.faults.injected().crashAfterWrite).toBe(1);
      expect(lines.some((line) => /Runtime\.ExitError/.test(line))).toBe(true);
      expect(await checked(client)).toEqual([]);
    });
  });

  it('store throttling (30% of requests): every accepted command is stored before its deadline and notified', async () => {
    await withFault({ storeThrottling: { rate: 0.3 }, seed: 7 }, async (client) => {
      const answers = await Promise.all(
        [10, 11, 12, 13, 14, 15].map((n) => client.create(createReservationInput(n), `throttled-${n}`)),
      );
      expect(answers.every((answer) => answer.accepted)).toBe(true);
      for (const n of [10, 11, 12, 13, 14, 15])
        expect(summary(await client.waitForNotifications(`throttled-${n}`))).toEqual(['STORED v1']);
      expect(core.faults.injected().storeThrottling).toBeGreaterThan(0);
      expect(await checked(client)).toEqual([]);
    });
  });

  it('the notifier down: the outcome query answers meanwhile, and STORED is notified once the notifier is back', async () => {
    const client = driver();
    core.faults.set({ notifierDown: {} });
    const answer = await client.create(createReservationInput(5), 'notifier-1');
    if (!answer.accepted) throw new Error('the create was refused');
    await sleep(1_500);
    expect(client.notified('notifier-1')).toEqual([]);
    expect(await client.readOutcome(answer.streamId, 'notifier-1')).toMatchObject({ status: 'STORED', version: 1 });
    core.faults.set({});
    expect(summary(await client.waitForNotifications('notifier-1'))).toEqual(['STORED v1']);
    expect(await checked(client)).toEqual([]);
  });

  it('a delivery after the deadline: nothing stored, REJECTED TIMEOUT notified and read back', async () => {
    await withFault({ deliveryAfterDeadline: { times: 1, target: EVENT_HANDLER } }, async (client) => {
      const answer = await client.create(createReservationInput(6), 'late-1');
      if (!answer.accepted) throw new Error('the create was refused');
      expect(summary(await client.waitForNotifications('late-1', 1, 20_000))).toEqual(['REJECTED TIMEOUT']);
      expect(await client.readOutcome(answer.streamId, 'late-1')).toMatchObject({
        status: 'REJECTED',
        code: 'TIMEOUT',
      });
      expect(await client.readReservation(answer.streamId)).toBeNull();
      expect(await checked(client)).toEqual([]);
    });
  }, 30_000);

  it('a notification dropped (AppSync took the mutation, the subscription got nothing): the outcome query and a retry recover it', async () => {
    await withFault({ notificationDropped: { times: 1 } }, async (client) => {
      const input = createReservationInput(7);
      const answer = await client.create(input, 'unheard-1');
      if (!answer.accepted) throw new Error('the create was refused');
      await core.idle();
      expect(client.notified('unheard-1')).toEqual([]);
      expect(await client.readOutcome(answer.streamId, 'unheard-1')).toMatchObject({ status: 'STORED', version: 1 });
      await client.create(input, 'unheard-1');
      expect(summary(await client.waitForNotifications('unheard-1'))).toEqual(['STORED v1']);
      expect(await checked(client)).toEqual([]);
    });
  });

  it('left nothing undelivered or dead-lettered, and kept every promise over all of the above', async () => {
    await core.idle();
    expect(queued('ReservationUndelivered')).toEqual([]);
    expect(queued('ReservationDeadLetters')).toEqual([]);
    const report = await checkLocalCore(core, drivers);
    expect(report.violations).toEqual([]);
    expect(report.summary.pending).toBe(0);
  });
});
