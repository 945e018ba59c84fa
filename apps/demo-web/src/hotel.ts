/**
 * The demo's hotel: two rooms and two guests with payment accounts, made through the client with
 * fixed command ids. A restart of the demo sends the same commands again, which the core answers as
 * retries (the same ids, their stored outcome notified again), so nothing is made twice.
 */
import type { CoreClient } from '@core/client';
import type { Customer, Room } from '@core/contracts';

export interface Hotel {
  readonly rooms: readonly Room[];
  readonly guests: readonly (Customer & { readonly creditLimit: number })[];
}

/** Bump when the seed's inputs change: a command id is bound to its input (COMMAND_ID_REUSED otherwise). */
const SEED = 'demo-seed-v1';

const ROOMS = [
  { key: 'sea-view', name: 'Sea view', nightlyPrice: 12_000, currency: 'EUR' },
  { key: 'garden', name: 'Garden', nightlyPrice: 8_000, currency: 'EUR' },
];
const GUESTS = [
  { key: 'ada', name: 'Ada Lovelace', email: 'ada@hotel.example', creditLimit: 500_000 },
  { key: 'grace', name: 'Grace Hopper', email: 'grace@hotel.example', creditLimit: 10_000 },
];

export async function seedHotel(core: CoreClient): Promise<Hotel> {
  const rooms = await Promise.all(
    ROOMS.map(async ({ key, ...room }) => {
      const sent = await core.room.registerRoom({ ...room, commandId: `${SEED}-room-${key}` });
      return sent.settled;
    }),
  );
  const guests = await Promise.all(
    GUESTS.map(async ({ key, creditLimit, ...guest }) => {
      const registered = await core.customer.registerCustomer({ ...guest, commandId: `${SEED}-guest-${key}` });
      const customer = await registered.settled;
      const opened = await core.payment.openPaymentAccount({
        customerId: customer.id,
        creditLimit,
        currency: 'EUR',
        commandId: `${SEED}-account-${key}`,
      });
      await opened.settled;
      return { ...customer, creditLimit };
    }),
  );
  return { rooms, guests };
}
