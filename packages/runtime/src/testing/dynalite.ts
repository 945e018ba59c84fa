import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EVENTS_TABLE_KEYS } from '../dynamodb';

/**
 * A real dynalite (in memory, in this process) behind the transaction front of
 * `@core/dynalite-transactions` (dynalite has no TransactWriteItems), which serves it on 127.0.0.1, and
 * an SDK client pointed at the front.
 * Both must be installed by the package whose tests call this (devDependencies).
 */
export async function startDynalite(
  options: {
    /** Sees every answer of the front (the DynamoDB requests a client made), with its `X-Amz-Target`. */
    observe?: (target: string, answer: { status: number; body: Buffer }) => void;
  } = {},
): Promise<{ client: DynamoDBClient; endpoint: string; close(): Promise<void> }> {
  // Required here so that importing the testing subpath needs neither package.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startTransactionFront, dynaliteWithTableCache } =
    require('@core/dynalite-transactions') as typeof import('@core/dynalite-transactions');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const server = dynaliteWithTableCache({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // dynalite runs in this process: the front hands it each request without a socket.
  const front = await startTransactionFront({ upstream: server, observe: options.observe });
  const endpoint = front.endpoint;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    endpoint,
    close: async () => {
      client.destroy();
      await front.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates an event table with the key schema the CDK construct uses. */
export async function createEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey } = EVENTS_TABLE_KEYS;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
        { AttributeName: sortKey.name, AttributeType: sortKey.type },
      ],
    }),
  );
}
