/**
 * What the client's end-to-end tests share: the local core booted from apps/core's synthesized app,
 * a client of it, and a hotel to reserve in (a room, a guest with a payment account), made through
 * the client itself.
 */
import { createCoreClient, type CoreClient, type CoreClientOptions, type Diagnostic } from '@core/client';
import { bootLocalCore, type LocalCore } from '@core/local';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

export const assemblyDir = join(__dirname, '..', '..', '..', '..', 'apps', 'core', 'cdk.out');

export const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export function bootCore(): Promise<LocalCore> {
  // The development stage: the local core serves one stack's API.
  return bootLocalCore({ assemblyDir, stacks: ['CoreDev'], port: 0, log: () => undefined });
}

/** A client of `core` signed with the local front-end credentials; `diagnostics` collects what it reports. */
export function clientOf(
  core: LocalCore,
  diagnostics: Diagnostic[] = [],
  options: Partial<CoreClientOptions> = {},
): CoreClient {
  return createCoreClient({
    graphqlUrl: core.graphqlUrl,
    region: core.region,
    auth: { type: 'AWS_IAM', credentials: core.frontEndCredentials },
    reconnectBackoff: { baseMs: 50, maxMs: 200 },
    onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    ...options,
  });
}

export interface Guest {
  readonly customerId: string;
  readonly roomId: string;
}

/** A room and an active guest with enough credit, both stored. */
export async function hotelFor(client: CoreClient): Promise<Guest> {
  const room = await client.room.registerRoom({ name: 'Sea view', nightlyPrice: 12_000, currency: 'EUR' });
  const guest = await client.customer.registerCustomer({ email: `${randomUUID()}@hotel.example`, name: 'Ada' });
  const customer = await guest.settled;
  const account = await client.payment.openPaymentAccount({
    customerId: customer.id,
    creditLimit: 1_000_000,
    currency: 'EUR',
  });
  await account.settled;
  return { customerId: customer.id, roomId: (await room.settled).id };
}
