/**
 * What the transaction front's tests share: a real dynalite, the front before it (its upstream over
 * HTTP or in process), an SDK client of the front, and an `events` table keyed as the event store is.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTransactionFront, type TransactionFront } from '../../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export const TableName = 'events';

export interface DynaliteFront {
  readonly server: Server;
  /** dynalite's own endpoint, `http://127.0.0.1:<port>`. */
  readonly dynaliteEndpoint: string;
  readonly front: TransactionFront;
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** An SDK client of `endpoint` with local credentials. */
export function clientOf(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function startDynaliteFront(upstream: 'over HTTP' | 'in process' = 'over HTTP'): Promise<DynaliteFront> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dynaliteEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const front = await startTransactionFront({ upstream: upstream === 'over HTTP' ? dynaliteEndpoint : server });
  const client = clientOf(front.endpoint);
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'streamId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'streamId', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'N' },
      ],
    }),
  );
  return {
    server,
    dynaliteEndpoint,
    front,
    client,
    close: async () => {
      client.destroy();
      await front.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The event store's key of a stream's version. */
export const key = (streamId: string, version = 0) => ({ streamId: { S: streamId }, version: { N: String(version) } });
