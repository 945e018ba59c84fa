/**
 * The hotel journey, played as a front-end server plays it: guests register (one with a credit line,
 * which opens her payment account), a room is registered, reservations are confirmed or rejected by
 * the reservation saga, a confirmed one is cancelled (room released, payment refunded), an email is
 * registered twice, and a broken rule is answered at once. The first reservation is followed the way
 * a page follows it: subscribe by its command id first, send, show the tentative answer, then the
 * notifications.
 *
 * Against the running core (`pnpm start` in another terminal: .local/endpoint.json, or GRAPHQL_URL,
 * API_KEY, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); with none running, it boots one
 * from apps/core/cdk.out for the length of the demo. `--api-key` authorizes with the API key
 * instead of IAM.
 */
import { gql, type ApolloClient } from '@apollo/client';
import { bootLocalCore, type LocalCore } from '@core/local';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiKeyAuth,
  appSyncClient,
  appSyncClientFor,
  iamAuth,
  subscribeWithReady,
  type Endpoint,
} from './front-end-client';
import { LOCAL_STACK } from './local-stack';

const RESERVATION = 'id userId roomId dateStart dateEnd status version rejectionReason totalPrice currency';
const Q = {
  registerCustomer: gql`
    mutation ($input: RegisterCustomerInput!) {
      registerCustomer(input: $input) {
        id
        commandId
      }
    }
  `,
  registerRoom: gql`
    mutation ($input: RegisterRoomInput!) {
      registerRoom(input: $input) {
        id
        commandId
      }
    }
  `,
  reserve: gql`
    mutation ($input: CreateReservationInput!) {
      createReservation(input: $input) {
        id
        commandId
      }
    }
  `,
  cancel: gql`
    mutation ($input: CancelReservationInput!) {
      cancelReservation(input: $input) {
        id
        commandId
      }
    }
  `,
  customerOutcome: gql`
    query ($id: ID!, $commandId: ID!) {
      getCustomerCommandOutcome(id: $id, commandId: $commandId) {
        status
        error {
          code
        }
      }
    }
  `,
  reservation: gql`query ($id: ID!) { getReservationById(id: $id) { ${RESERVATION} } }`,
  byUser: gql`
    query ($userId: ID!) {
      listReservationsByUser(userId: $userId) {
        id
        status
        totalPrice
      }
    }
  `,
  account: gql`
    query ($customerId: ID!) {
      getPaymentAccountByCustomerId(customerId: $customerId) {
        creditLimit
        authorized
        captured
        refunded
        available
      }
    }
  `,
  availability: gql`
    query ($roomId: ID!, $from: AWSDate!, $to: AWSDate!) {
      getRoomAvailability(roomId: $roomId, from: $from, to: $to) {
        available
      }
    }
  `,
  onSaved: gql`
    subscription ($id: ID, $commandId: ID) {
      onReservationSaved(id: $id, commandId: $commandId) {
        commandId
        status
        reservation {
          status
          rejectionReason
          totalPrice
        }
        error {
          code
        }
      }
    }
  `,
};

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const say = (text: string) => console.log(`  ${text}`);
const euros = (cents: unknown) => `${(Number(cents) / 100).toFixed(2)} EUR`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runningCore(): Endpoint | undefined {
  if (process.env.GRAPHQL_URL !== undefined) {
    return {
      graphqlUrl: process.env.GRAPHQL_URL,
      region: process.env.AWS_REGION ?? 'us-east-1',
      apiKey: process.env.API_KEY ?? '',
      frontEndCredentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
      },
    };
  }
  const file = join(__dirname, '..', '..', '..', '.local', 'endpoint.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Endpoint) : undefined;
}

/** The calls the journey makes, over one client. */
function hotel(client: ApolloClient) {
  const send = async (mutation: 'registerCustomer' | 'registerRoom' | 'reserve' | 'cancel', input: object) => {
    const answer = await client.mutate({ mutation: Q[mutation], variables: { input } });
    return Object.values(answer.data as object)[0] as { id: string; commandId: string };
  };
  const ask = async <T>(query: keyof typeof Q, variables: object): Promise<T> => {
    const answer = await client.query({ query: Q[query], variables, fetchPolicy: 'network-only' });
    return Object.values(answer.data as object)[0] as T;
  };
  /** The reservation once the saga has decided it (polled, as a page that missed a notification would). */
  const decided = async (id: string, from = 'REQUESTED') => {
    for (let i = 0; i < 100; i++) {
      const found = await ask<Record<string, unknown> | null>('reservation', { id });
      if (found !== null && found.status !== from) return found;
      await sleep(200);
    }
    throw new Error(`reservation ${id} is still ${from} after 20 s`);
  };
  const available = async (roomId: string, from: number, to: number) =>
    (await ask<{ available: boolean }>('availability', { roomId, from: day(from), to: day(to) })).available;
  return { send, ask, decided, available };
}

async function play(target: Endpoint, useApiKey: boolean): Promise<boolean> {
  const client = appSyncClient(target, useApiKey ? apiKeyAuth(target) : iamAuth(target));
  const { send, ask, decided, available } = hotel(client);
  const stamp = Date.now();
  console.log(`\nA front-end server talks to ${target.graphqlUrl} (${useApiKey ? 'API key' : 'IAM'}).\n`);

  say('1. Ada registers with a credit line of 1,000.00 EUR: the payment aggregate opens her account.');
  const ada = await send('registerCustomer', {
    email: `ada-${stamp}@example.com`,
    name: 'Ada',
    creditLimit: 100_000,
    currency: 'EUR',
  });
  const bob = await send('registerCustomer', {
    email: `bob-${stamp}@example.com`,
    name: 'Bob',
    creditLimit: 100_000,
    currency: 'EUR',
  });
  const cleo = await send('registerCustomer', {
    email: `cleo-${stamp}@example.com`,
    name: 'Cleo',
    creditLimit: 10_000,
    currency: 'EUR',
  });
  const room = await send('registerRoom', { name: 'Sea view', nightlyPrice: 12_000, currency: 'EUR' });
  say(`   Bob (1,000.00 EUR) and Cleo (100.00 EUR) too; room "Sea view" at 120.00 EUR a night.`);
  await sleep(1_000);

  console.log('');
  say(`2. Ada asks for the room from ${day(7)} to ${day(10)}. The page subscribes to the command first.`);
  const commandId = randomUUID();
  const notes: string[] = [];
  let ready!: () => void;
  const subscribed = new Promise<void>((resolve) => (ready = resolve));
  const watching = subscribeWithReady(
    client,
    { query: Q.onSaved, variables: { commandId } },
    {
      onReady: ready,
      onData: (data) => notes.push(JSON.stringify(data.onReservationSaved)),
      onError: (error) => notes.push(`subscription failed: ${JSON.stringify(error)}`),
    },
  );
  await subscribed;
  const started = Date.now();
  const first = await send('reserve', {
    userId: ada.id,
    roomId: room.id,
    dateStart: day(7),
    dateEnd: day(10),
    commandId,
  });
  say(`   Tentative answer after ${Date.now() - started} ms: reservation ${first.id}, accepted, not yet stored.`);
  const outcome = await decided(first.id);
  say(`   The command's notification: ${notes[0] ?? '(none yet)'}`);
  say(`   After ${Date.now() - started} ms the saga has decided: ${outcome.status}, ${euros(outcome.totalPrice)}.`);
  watching.unsubscribe();

  console.log('');
  say(`3. Bob asks for ${day(8)} to ${day(11)}: those nights are held for Ada.`);
  const second = await send('reserve', { userId: bob.id, roomId: room.id, dateStart: day(8), dateEnd: day(11) });
  const rejected = await decided(second.id);
  say(
    `   ${rejected.status} (${rejected.rejectionReason}); ${day(10)} to ${day(11)} is free: ${await available(room.id, 10, 11)}.`,
  );

  console.log('');
  say(`4. Cleo asks for two nights (240.00 EUR) on a credit line of 100.00 EUR.`);
  const third = await send('reserve', { userId: cleo.id, roomId: room.id, dateStart: day(20), dateEnd: day(22) });
  const declined = await decided(third.id);
  say(
    `   ${declined.status} (${declined.rejectionReason}); the nights were released: ${await available(room.id, 20, 22)}.`,
  );

  console.log('');
  say(`5. Someone registers Ada's email again.`);
  const again = await send('registerCustomer', { email: `ADA-${stamp}@example.com`, name: 'Not Ada' });
  await sleep(1_000);
  const twice = await ask<{ status: string; error: { code: string } | null }>('customerOutcome', {
    id: again.id,
    commandId: again.commandId,
  });
  say(`   ${twice.status} ${twice.error?.code ?? ''}: an email belongs to one customer.`);

  console.log('');
  say(`6. Ada cancels: the saga releases the room and refunds her.`);
  // Only the reservation's own user (or an admin) may cancel it: the server signs x-core-user for Ada.
  await hotel(appSyncClientFor(target, { userId: ada.id })).send('cancel', { id: first.id, reason: 'plans changed' });
  const cancelled = await decided(first.id, 'CONFIRMED');
  let ledger = await ask<Record<string, number>>('account', { customerId: ada.id });
  for (let i = 0; i < 100 && ledger.refunded === 0; i++) {
    await sleep(200);
    ledger = await ask<Record<string, number>>('account', { customerId: ada.id });
  }
  say(
    `   ${cancelled.status}; room free again: ${await available(room.id, 7, 10)}; captured ${euros(ledger.captured)}, refunded ${euros(ledger.refunded)}, available ${euros(ledger.available)}.`,
  );
  const listed = await ask<{ id: string; status: string; totalPrice: number }[]>('byUser', { userId: ada.id });
  const rows = listed.map((each) => `${each.id.slice(0, 8)} ${each.status} ${euros(each.totalPrice)}`);
  say(`   Her reservations, from the read model: ${rows.join('; ')}.`);

  console.log('');
  say(`7. Ada asks for 45 nights: a business rule answers at once, nothing is published.`);
  const refused = await send('reserve', { userId: ada.id, roomId: room.id, dateStart: day(7), dateEnd: day(52) }).then(
    () => undefined,
    (error: { errors?: { errorType?: string; message?: string }[] }) => error.errors?.[0],
  );
  say(`   ${refused?.errorType ?? 'no error?'}: ${refused?.message ?? ''}\n`);
  return (
    outcome.status === 'CONFIRMED' &&
    rejected.rejectionReason === 'ROOM_UNAVAILABLE' &&
    declined.rejectionReason === 'PAYMENT_DECLINED' &&
    twice.error?.code === 'EMAIL_ALREADY_REGISTERED' &&
    ledger.refunded === 36_000 &&
    refused?.errorType === 'BusinessRuleViolation'
  );
}

async function main(): Promise<void> {
  let target = runningCore();
  let booted: LocalCore | undefined;
  if (target === undefined) {
    console.log('\nNo running core found (`pnpm start`): booting one from apps/core/cdk.out for this demo.');
    booted = await bootLocalCore({
      stacks: [LOCAL_STACK],
      assemblyDir: join(__dirname, '..', 'cdk.out'),
      port: 0,
      log: () => undefined,
    });
    target = booted;
  }
  const ok = await play(target, process.argv.includes('--api-key')).finally(() => booted?.stop());
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
