/**
 * The answer contract through the whole local core (booted from cdk.out), as a front-end server sees
 * it: a retry of a stored command is notified again, a command id reused for another command is
 * refused or notified COMMAND_ID_REUSED, and the outcome query agrees with every notification. Each
 * test ends with the invariant checker over what was sent, notified, read back and stored.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootLocalCore, type LocalCore } from '@core/local';
import { join } from 'node:path';
import { ContractDriver, checkLocalCore, createReservationInput } from './support/contract-driver';
import { LOCAL_STACK } from '../scripts/local-stack';

// The subscription link arms a 15 s timer per connection and never clears it; unref'd, Jest can exit.
const armTimer = globalThis.setTimeout;
Object.assign(globalThis, { setTimeout: (...args: Parameters<typeof setTimeout>) => armTimer(...args).unref() });

const assemblyDir = join(__dirname, '..', 'cdk.out');

describe('the answer contract through the local core', () => {
  let core: LocalCore;
  const drivers: ContractDriver[] = [];
  const driver = () => {
    const made = new ContractDriver(core);
    drivers.push(made);
    return made;
  };

  beforeAll(async () => {
    core = await bootLocalCore({ stacks: [LOCAL_STACK], assemblyDir, port: 0, log: () => undefined });
  });
  afterAll(async () => {
    for (const each of drivers) each.close();
    await core.stop();
  });

  it('answers a retry of a stored command with the same id and notifies STORED again, same version', async () => {
    const client = driver();
    const input = createReservationInput(1);
    const first = await client.create(input, 'retry-1');
    const [stored] = await client.waitForNotifications('retry-1');
    expect(stored).toMatchObject({ status: 'STORED', version: 1, streamId: first.streamId });

    const again = await client.create(input, 'retry-1');
    expect(again).toEqual(first.accepted ? { ...first, deadline: expect.any(String) } : first);
    const notifications = await client.waitForNotifications('retry-1', 2);
    expect(notifications.map(({ status, version, fingerprint }) => ({ status, version, fingerprint }))).toEqual([
      { status: 'STORED', version: 1, fingerprint: stored?.fingerprint },
      { status: 'STORED', version: 1, fingerprint: stored?.fingerprint },
    ]);
    expect((await checkLocalCore(core, [client])).violations).toEqual([]);
  });

  it('refuses at once a command id reused for another command (other input, or another field)', async () => {
    const client = driver();
    const created = await client.create(createReservationInput(2), 'reuse-1');
    await client.waitForNotifications('reuse-1');
    await core.idle(); // the saga's own commands on the bus, started by the create
    const busEvents = core.metrics().busEvents;

    const otherInput = await client.create(createReservationInput(3), 'reuse-1');
    const otherField = created.accepted ? await client.cancel(created.streamId, 'reuse-1') : created;
    for (const refused of [otherInput, otherField])
      expect(refused).toEqual({
        accepted: false,
        errorType: 'ValidationError',
        message: expect.stringMatching(/^COMMAND_ID_REUSED: command id reuse-1 was already used for another command/),
      });
    expect(core.metrics().busEvents).toBe(busEvents);
    expect(client.notified('reuse-1')).toHaveLength(1);
    expect((await checkLocalCore(core, [client])).violations).toEqual([]);
  });

  it('notifies REJECTED COMMAND_ID_REUSED, never STORED with the other input, when two sends race under one id', async () => {
    const [a, b] = [driver(), driver()];
    const [first, second] = await Promise.all([
      a.create(createReservationInput(4), 'race-1'),
      b.create(createReservationInput(5), 'race-1'),
    ]);
    const accepted = [first, second].filter((answer) => answer.accepted);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    await core.idle();
    await a.waitForNotifications('race-1', accepted.length);
    const outcomes = a.notified('race-1').map(({ status, code, fingerprint }) => ({ status, code, fingerprint }));
    const fingerprints = accepted.map((answer) => (answer.accepted ? answer.fingerprint : ''));
    expect(outcomes.filter((outcome) => outcome.status === 'STORED')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.code === 'COMMAND_ID_REUSED')).toHaveLength(accepted.length - 1);
    expect(new Set(outcomes.map((outcome) => outcome.fingerprint))).toEqual(new Set(fingerprints));
    expect((await checkLocalCore(core, [a, b])).violations).toEqual([]);
  });

  it('answers the outcome query PENDING for a command it has not seen, then as every notification said', async () => {
    const client = driver();
    const input = await client.bookableInput(6);
    await core.idle();
    const created = await client.create(input, 'outcome-1');
    if (!created.accepted) throw new Error('the create was refused');
    expect(await client.readOutcome(created.streamId, 'never-sent')).toMatchObject({
      status: 'PENDING',
      fingerprint: null,
    });
    await client.waitForNotifications('outcome-1');
    await core.idle(); // the saga confirms the reservation

    // Two cancels decided on the same version: one is stored, the other is rejected CONFLICT.
    const cancels = await Promise.all([
      client.cancel(created.streamId, 'outcome-2'),
      client.cancel(created.streamId, 'outcome-3'),
    ]);
    expect(cancels.every((answer) => answer.accepted)).toBe(true);
    await client.waitForNotifications('outcome-2');
    await client.waitForNotifications('outcome-3');
    for (const commandId of ['outcome-1', 'outcome-2', 'outcome-3']) {
      const [notified] = client.notified(commandId);
      const read = await client.readOutcome(created.streamId, commandId);
      expect({ ...read, at: 0 }).toEqual({ ...notified, at: 0 });
    }
    const statuses = ['outcome-2', 'outcome-3'].map((commandId) => client.notified(commandId)[0]?.code ?? 'STORED');
    expect(statuses.sort()).toEqual(['CONFLICT', 'STORED']);
    await client.readReservation(created.streamId);
    expect((await checkLocalCore(core, [client])).violations).toEqual([]);
  });

  it('keeps every promise over every command of this file', async () => {
    const report = await checkLocalCore(core, drivers);
    expect(report.violations).toEqual([]);
    expect(report.summary.pending).toBe(0);
  });
});
