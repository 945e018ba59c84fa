/**
 * The seed's hotel scenario, played against the running core (`pnpm start` in another terminal) as a
 * front-end server plays it: subscribe by a command id of its own, send the command, show the
 * tentative answer, then the stored notification; then a broken rule, answered at once.
 *
 * Endpoints and credentials come from .local/endpoint.json (written by `pnpm start`) or from
 * GRAPHQL_URL, API_KEY, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. With IAM it acts
 * for the guest (`x-core-user: guest-42`, signed); `--api-key` authorizes with the API key instead.
 */
import { gql, type ApolloClient } from '@apollo/client';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyAuth, appSyncClient, appSyncClientFor, subscribeWithReady, type Endpoint } from './front-end-client';

const CREATE = gql`
  mutation CreateReservation($input: CreateReservationInput!) {
    createReservation(input: $input) {
      id
      commandId
    }
  }
`;
const ON_SAVED = gql`
  subscription OnReservationSaved($commandId: ID) {
    onReservationSaved(commandId: $commandId) {
      id
      commandId
      status
      version
      reservation {
        id
        roomId
        dateStart
        dateEnd
        status
      }
      error {
        code
        message
      }
    }
  }
`;

function endpoint(): Endpoint {
  const file = join(__dirname, '..', '..', '..', '.local', 'endpoint.json');
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
  if (!existsSync(file))
    throw new Error('no running core found: start it with `pnpm start` (it writes .local/endpoint.json)');
  return JSON.parse(readFileSync(file, 'utf8')) as Endpoint;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const say = (text: string) => console.log(`  ${text}`);

/** Subscribes to one command's outcome; `ready` resolves once AppSync acknowledged the subscription. */
function subscribeToOutcome(client: ApolloClient, commandId: string) {
  let ready!: () => void;
  let answered!: (value: Record<string, unknown>) => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const outcome = new Promise<Record<string, unknown>>((resolve) => (answered = resolve));
  const subscription = subscribeWithReady(
    client,
    { query: ON_SAVED, variables: { commandId } },
    {
      onReady: ready,
      onData: (data) => answered(data.onReservationSaved as Record<string, unknown>),
      onError: (error) => answered({ status: 'SUBSCRIPTION_FAILED', error: JSON.stringify(error) }),
    },
  );
  return { ready: readyPromise, outcome, stop: () => subscription.unsubscribe() };
}

async function main(): Promise<void> {
  const target = endpoint();
  const useApiKey = process.argv.includes('--api-key');
  // With IAM, the front-end server acts for the signed-in guest: it signs x-core-user with each request.
  const client = useApiKey
    ? appSyncClient(target, apiKeyAuth(target))
    : appSyncClientFor(target, { userId: 'guest-42' });
  console.log(
    `\nA front-end server talks to ${target.graphqlUrl} (${useApiKey ? 'API key' : 'IAM, acting for guest-42'}).\n`,
  );

  // 1. A guest books room 101 for three nights next week.
  const commandId = randomUUID();
  const input = { userId: 'guest-42', roomId: 'room-101', dateStart: day(7), dateEnd: day(10), commandId };
  say(`1. The guest asks for room 101 from ${input.dateStart} to ${input.dateEnd}.`);
  say(`   The server chooses the command id ${commandId} and subscribes to its outcome first, so it cannot miss it.`);
  const watch = subscribeToOutcome(client, commandId);
  await watch.ready;
  const started = Date.now();
  const answer = await client.mutate({ mutation: CREATE, variables: { input } });
  const accepted = (answer.data as { createReservation: { id: string } }).createReservation;
  say(`   Tentative answer after ${Date.now() - started} ms: accepted, reservation ${accepted.id}, not yet stored.`);
  say('   The page shows "Reservation requested (processing...)".');
  const outcome = await Promise.race([
    watch.outcome,
    new Promise<Record<string, unknown>>((resolve) =>
      setTimeout(() => resolve({ status: 'NO ANSWER within 15 s' }), 15_000),
    ),
  ]);
  watch.stop();
  say(
    `   Notification after ${Date.now() - started} ms: ${outcome.status} ${JSON.stringify(outcome.reservation ?? outcome.error ?? '')}`,
  );
  say(
    outcome.status === 'STORED'
      ? '   The page now shows "Reservation ready".'
      : '   The page tells the guest it did not go through.',
  );

  // 2. The guest asks for 45 nights: a business rule answers at once, nothing is published.
  console.log('');
  say(`2. The guest asks for 45 nights from ${day(7)}.`);
  const refused = await client
    .mutate({
      mutation: CREATE,
      variables: { input: { userId: 'guest-42', roomId: 'room-101', dateStart: day(7), dateEnd: day(52) } },
    })
    .then(
      () => undefined,
      (error: { errors?: { errorType?: string; message?: string }[] }) => error.errors?.[0],
    );
  say(`   Answered at once: ${refused?.errorType ?? 'no error?'}: ${refused?.message ?? ''}`);
  console.log('');
  process.exit(outcome.status === 'STORED' && refused?.errorType === 'BusinessRuleViolation' ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
