/**
 * The client against the local core (booted from apps/core's synthesized app): every aggregate's
 * commands settled through one real-time connection, refusals at once, rejections by the store, the
 * saga's decision on the same subscription, retries with the same command id, and both auth modes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isCoreClientError, type CoreClient, type Diagnostic } from '@core/client';
import type { LocalCore } from '@core/local';
import type { ReservationNotification } from '@core/contracts';
import { randomUUID } from 'node:crypto';
import { bootCore, clientOf, day, hotelFor } from './support/hotel';

describe('the client against the local core', () => {
  let core: LocalCore;
  let client: CoreClient;
  const diagnostics: Diagnostic[] = [];

  beforeAll(async () => {
    core = await bootCore();
    client = clientOf(core, diagnostics);
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await core.stop();
  });

  it('answers createReservation with the id at once, settles it with the stored state, and hears the saga decide', async () => {
    const { customerId, roomId } = await hotelFor(client);
    const decisions: ReservationNotification[] = [];
    const sent = await client.reservation.createReservation({
      userId: customerId,
      roomId,
      dateStart: day(10),
      dateEnd: day(12),
    });
    expect(sent).toMatchObject({
      id: expect.any(String),
      commandId: expect.any(String),
      fingerprint: expect.any(String),
    });
    const decided = new Promise<ReservationNotification>((resolve) => {
      client.reservation.watch(sent.id, {
        onNotification: (notification) => {
          decisions.push(notification);
          if (notification.reservation?.status === 'CONFIRMED') resolve(notification);
        },
      });
    });

    const stored = await sent.settled;
    expect(stored).toMatchObject({ id: sent.id, status: 'REQUESTED', version: 1, userId: customerId });
    const confirmed = await decided;
    expect(confirmed.reservation).toMatchObject({ status: 'CONFIRMED', totalPrice: 24_000, currency: 'EUR' });
    // The saga's confirmation is another command, addressed to this client's replyTo.
    expect(confirmed.replyTo).toBe(client.replyTo);
    expect(confirmed.commandId).not.toBe(sent.commandId);
  });

  it("settles every aggregate's commands with the state they stored", async () => {
    const room = await (
      await client.room.registerRoom({ name: 'Garden', nightlyPrice: 8_000, currency: 'EUR' })
    ).settled;
    expect(room).toMatchObject({ name: 'Garden', nightlyPrice: 8_000, version: 1 });
    const email = `${randomUUID()}@hotel.example`;
    const customer = await (await client.customer.registerCustomer({ email, name: 'Grace' })).settled;
    expect(customer).toMatchObject({ email, name: 'Grace', status: 'ACTIVE', version: 1 });
    const renamed = await (await client.customer.changeCustomerDetails({ id: customer.id, name: 'Grace H.' })).settled;
    expect(renamed).toMatchObject({ id: customer.id, name: 'Grace H.', version: 2 });
    const account = await (
      await client.payment.openPaymentAccount({ customerId: customer.id, creditLimit: 50_000, currency: 'EUR' })
    ).settled;
    expect(account).toMatchObject({ id: `account-${customer.id}`, creditLimit: 50_000, available: 50_000 });
    const reservation = await (
      await client.reservation.createReservation({
        userId: customer.id,
        roomId: room.id,
        dateStart: day(20),
        dateEnd: day(21),
      })
    ).settled;
    const cancelled =
      await // Only the reservation's own user (or an admin) may cancel it: the server signs the guest with the request.
      (
        await client.reservation.cancelReservation(
          { id: reservation.id, reason: 'plans changed' },
          { actingFor: { userId: customer.id } },
        )
      ).settled;
    expect(cancelled).toMatchObject({ id: reservation.id, status: 'CANCELLED', cancellationReason: 'plans changed' });
    const deactivated = await (await client.customer.deactivateCustomer({ id: customer.id })).settled;
    expect(deactivated).toMatchObject({ id: customer.id, status: 'DEACTIVATED' });
    expect(await client.customer.getCustomerById(customer.id)).toMatchObject({ status: 'DEACTIVATED' });
    expect(await client.room.getRoomAvailability(room.id, day(40), day(41))).toMatchObject({ available: true });
    expect(client.openCommands).toBe(0);
  });

  it('refuses a broken rule at once, with its code, and keeps nothing open', async () => {
    const { customerId, roomId } = await hotelFor(client);
    const refused = await client.reservation
      .createReservation({ userId: customerId, roomId, dateStart: day(10), dateEnd: day(50) })
      .catch((error: unknown) => error);
    expect(isCoreClientError(refused)).toBe(true);
    expect(refused).toMatchObject({ kind: 'REFUSED', code: 'STAY_TOO_LONG', errorType: 'BusinessRuleViolation' });
    expect(client.openCommands).toBe(0);
  });

  it('rejects settled with the code the store decided (an email that belongs to another customer)', async () => {
    const email = `${randomUUID()}@hotel.example`;
    await (
      await client.customer.registerCustomer({ email, name: 'First' })
    ).settled;
    const second = await client.customer.registerCustomer({ email, name: 'Second' });
    const rejected = await second.settled.catch((error: unknown) => error);
    expect(rejected).toMatchObject({
      kind: 'REJECTED',
      code: 'EMAIL_ALREADY_REGISTERED',
      id: second.id,
      commandId: second.commandId,
    });
  });

  it('answers a resent command id the same way, and refuses it for another command (at once, or when settled)', async () => {
    const commandId = randomUUID();
    const first = await client.room.registerRoom({ name: 'Attic', nightlyPrice: 5_000, currency: 'EUR', commandId });
    const room = await first.settled;
    // A second front-end server (or this one after a restart) resends the same command.
    const other = clientOf(core);
    try {
      const again = await other.room.registerRoom({ name: 'Attic', nightlyPrice: 5_000, currency: 'EUR', commandId });
      expect(again).toMatchObject({ id: first.id, commandId, fingerprint: first.fingerprint });
      expect(await again.settled).toEqual(room);
      const reused = await other.room
        .registerRoom({ name: 'Cellar', nightlyPrice: 4_000, currency: 'EUR', commandId })
        .then((sent) => sent.settled)
        .catch((error: unknown) => error);
      expect(reused).toMatchObject({ code: 'COMMAND_ID_REUSED' });
    } finally {
      await other.close();
    }
  });

  it('listens on one connection with one subscription per aggregate, however many commands it sends', async () => {
    // The counts are the core's: let the earlier tests' sagas finish sending to their own client first.
    await core.idle();
    const before = core.metrics();
    const fresh = clientOf(core);
    try {
      const rooms = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          fresh.room.registerRoom({ name: `Room ${i}`, nightlyPrice: 100, currency: 'EUR' }),
        ),
      );
      await Promise.all(rooms.map((sent) => sent.settled));
      const after = core.metrics();
      // connection_init and four starts (reservation, customer, room, payment): none per command.
      expect(after.realtimeMessagesIn - before.realtimeMessagesIn).toBe(5);
      // connection_ack, four start_acks, and one data message per command.
      expect(after.realtimeMessagesOut - before.realtimeMessagesOut).toBe(5 + rooms.length);
    } finally {
      await fresh.close();
    }
  });

  it('works with the API key, and with IAM credentials from the standard chain', async () => {
    const withKey = clientOf(core, [], { auth: { type: 'API_KEY', apiKey: core.apiKey } });
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = core.frontEndCredentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = core.frontEndCredentials.secretAccessKey;
    const fromChain = clientOf(core, [], { auth: { type: 'AWS_IAM' } });
    try {
      for (const each of [withKey, fromChain]) {
        const sent = await each.room.registerRoom({ name: 'Loft', nightlyPrice: 9_000, currency: 'EUR' });
        expect(await sent.settled).toMatchObject({ id: sent.id, name: 'Loft' });
      }
    } finally {
      await withKey.close();
      await fromChain.close();
      restoreEnv('AWS_ACCESS_KEY_ID', saved.id);
      restoreEnv('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  });

  it('refuses credentials the core does not know', async () => {
    const stranger = clientOf(core, [], {
      auth: { type: 'AWS_IAM', credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' } },
    });
    try {
      const refused = await stranger.room
        .registerRoom({ name: 'Nope', nightlyPrice: 1, currency: 'EUR' })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ kind: 'REFUSED', code: 'UNAUTHORIZED' });
      await expect(stranger.connect()).rejects.toThrow(/connection_error|closed/);
    } finally {
      await stranger.close();
    }
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
