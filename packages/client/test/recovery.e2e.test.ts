/**
 * The client recovers what the real-time channel lost, against the local core: a notification that
 * AppSync dropped (the local core's `notificationDropped` fault) is settled by the outcome query at
 * the deadline plus the grace, and a connection cut mid-command (a TCP proxy in front of the core,
 * whose sockets are destroyed) is reopened with backoff, the subscriptions started again, and the
 * open command settled from its recorded outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CoreClient, Diagnostic } from '@core/client';
import type { LocalCore } from '@core/local';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { bootCore, clientOf, day, hotelFor } from './support/hotel';

/** A TCP proxy to `target`'s port whose live connections `cut()` destroys. */
async function startCuttableProxy(
  targetPort: number,
): Promise<{ port: number; cut(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      const count = sockets.size;
      for (const socket of sockets) socket.destroy();
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the client recovers what the real-time channel lost', () => {
  let core: LocalCore;

  beforeAll(async () => {
    core = await bootCore();
  });
  afterAll(async () => {
    await core.stop();
  });

  it('settles a command whose notification was dropped by reading its outcome after the deadline', async () => {
    const diagnostics: Diagnostic[] = [];
    const client: CoreClient = clientOf(core, diagnostics, { graceMs: 500 });
    try {
      await client.connect();
      const { customerId, roomId } = await hotelFor(client);
      core.faults.set({ notificationDropped: { times: 1 } });
      const sent = await client.reservation.createReservation({
        userId: customerId,
        roomId,
        dateStart: day(30),
        dateEnd: day(31),
      });
      const stored = await sent.settled;
      expect(core.faults.injected().notificationDropped).toBe(1);
      expect(stored).toMatchObject({ id: sent.id, status: 'REQUESTED', version: 1 });
      expect(diagnostics).toContainEqual(expect.objectContaining({ type: 'outcome-read', status: 'STORED' }));
      expect(client.openCommands).toBe(0);
    } finally {
      core.faults.set({});
      await client.close();
    }
  }, 60_000);

  it('reconnects after its connection is cut, subscribes again, and settles the open command', async () => {
    const proxy = await startCuttableProxy(Number(new URL(core.graphqlUrl).port));
    const diagnostics: Diagnostic[] = [];
    const graphqlUrl = core.graphqlUrl.replace(/:\d+\//, `:${proxy.port}/`);
    const client: CoreClient = clientOf(core, diagnostics, { graphqlUrl });
    try {
      await client.connect();
      const { customerId, roomId } = await hotelFor(client);
      // The notifier is down while the connection is cut: the outcome is recorded, but not heard.
      core.faults.set({ notifierDown: {} });
      const sent = await client.reservation.createReservation({
        userId: customerId,
        roomId,
        dateStart: day(33),
        dateEnd: day(34),
      });
      expect(proxy.cut()).toBeGreaterThan(0);
      const stored = await sent.settled;
      expect(stored).toMatchObject({ id: sent.id, status: 'REQUESTED', version: 1 });
      expect(diagnostics.map((each) => each.type)).toEqual(expect.arrayContaining(['reconnecting', 'connected']));
      expect(client.openCommands).toBe(0);
    } finally {
      core.faults.set({});
      await client.close();
      await proxy.close();
    }
  }, 60_000);
});
