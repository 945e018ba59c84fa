/**
 * Rebuilds the reservations-by-user read model from the reservation event store.
 *
 *   npx nx run reservation:rebuild-read-model -- --events <table> --read-model <table> [--endpoint <url>]
 *
 * Against the local core, `--endpoint` is its URL (`pnpm start` prints it; .local/endpoint.json has
 * it). On AWS, omit it: the client uses the environment's region and credentials. Puts are
 * idempotent, so running it again, or into a fresh table, is safe.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseArgs } from 'node:util';
import { rebuildReservationsByUser } from '../src/read-model';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, 'read-model': { type: 'string' }, endpoint: { type: 'string' } },
  });
  if (values.events === undefined || values['read-model'] === undefined) {
    throw new Error(
      'usage: rebuild-read-model --events <events table> --read-model <read model table> [--endpoint <url>]',
    );
  }
  const client = new DynamoDBClient(
    values.endpoint === undefined
      ? {}
      : {
          endpoint: values.endpoint,
          region: process.env.AWS_REGION ?? 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
  );
  const written = await rebuildReservationsByUser({
    client,
    eventsTable: values.events,
    readModelTable: values['read-model'],
  });
  console.log(`rebuilt ${written} reservation(s) into ${values['read-model']}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
