/**
 * The front: serves DynamoDB's JSON protocol in front of a dynalite endpoint. Reads pass through;
 * every write to a table waits its turn (see table-locks.ts); TransactWriteItems and TransactGetItems,
 * which dynalite lacks, run here; a failed conditional write that asked for
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD` gets the current item, as DynamoDB gives it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Item } from './dynalite-internals';
import { openIntentLog, type IntentLog } from './intent-log';
import { createKeySchemas, isErrorAnswer, type KeySchemas } from './key-schemas';
import { createTableLocks, type TableLocks } from './table-locks';
import { transactGetItems, transactWriteItems, type JsonAnswer } from './transact';
import { createUpstream, type Upstream, type UpstreamTarget, type WireAnswer } from './upstream';

export interface DynamoDbFrontOptions {
  /**
   * dynalite's endpoint (`http://127.0.0.1:<port>`), or the server `dynalite()` returned when it runs
   * in this process: its requests are then handed to it without a socket.
   */
  readonly upstream: UpstreamTarget;
  /**
   * A file that keeps transactions all or none across a crash of the process (see intent-log.ts):
   * `startTransactionFront` rolls back what it finds unfinished there before it serves. @default none
   */
  readonly intentLogPath?: string;
}

export interface DynamoDbFront {
  /** Serves one request: `target` is the `X-Amz-Target` header (`DynamoDB_20120810.PutItem`). */
  handle(target: string, body: Buffer): Promise<WireAnswer>;
  close(): void;
}

const SINGLE_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * @example
 * const front = createDynamoDbFront({ upstream: 'http://127.0.0.1:4567' });
 * const answer = await front.handle('DynamoDB_20120810.TransactWriteItems', body);
 */
export function createDynamoDbFront(options: DynamoDbFrontOptions, intents?: IntentLog): DynamoDbFront {
  const upstream = createUpstream(options.upstream);
  const deps = { upstream, schemas: createKeySchemas(upstream), locks: createTableLocks(), intents };

  async function handle(target: string, body: Buffer): Promise<WireAnswer> {
    const operation = target.startsWith('DynamoDB_20120810.') ? target.slice('DynamoDB_20120810.'.length) : '';
    if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      const request = parseRequest(body);
      if (request === undefined) return toWire(serializationError());
      return toWire(
        await (operation === 'TransactWriteItems'
          ? transactWriteItems(request, deps)
          : transactGetItems(request, deps)),
      );
    }
    if (SINGLE_WRITES.has(operation)) return singleWrite(operation, body, deps);
    if (operation === 'BatchWriteItem') {
      const tables = Object.keys((parseRequest(body)?.['RequestItems'] ?? {}) as object);
      return deps.locks.withTables(tables, () => upstream.send(operation, body));
    }
    return upstream.send(operation, body);
  }

  return {
    handle,
    close: () => {
      upstream.close();
      intents?.close();
    },
  };
}

/** A single conditional-capable write, under its table's lock. */
async function singleWrite(
  operation: string,
  body: Buffer,
  deps: { upstream: Upstream; schemas: KeySchemas; locks: TableLocks },
): Promise<WireAnswer> {
  const request = parseRequest(body);
  const table = typeof request?.['TableName'] === 'string' ? request['TableName'] : '';
  return deps.locks.withTables([table], async () => {
    const answer = await deps.upstream.send(operation, body);
    if (request?.['ReturnValuesOnConditionCheckFailure'] !== 'ALL_OLD' || !isConditionFailure(answer)) return answer;
    const keyNames = await deps.schemas.keyNames(table);
    if (isErrorAnswer(keyNames)) return answer;
    const key =
      operation === 'PutItem' ? deps.schemas.keyOf(request['Item'] as Item, keyNames) : (request['Key'] as Item);
    const current = await deps.upstream.call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
    const error = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    const item = current.json['Item'];
    return toWire({ status: answer.status, body: item === undefined ? error : { ...error, Item: item } });
  });
}

function isConditionFailure(answer: WireAnswer): boolean {
  return answer.status === 400 && answer.body.includes('ConditionalCheckFailedException');
}

function parseRequest(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function serializationError(): JsonAnswer {
  return { status: 400, body: { __type: 'com.amazon.coral.service#SerializationException' } };
}

function toWire(answer: JsonAnswer): WireAnswer {
  return {
    status: answer.status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() },
    body: Buffer.from(JSON.stringify(answer.body)),
  };
}

/** A front served on its own port, for tests and tools that talk to DynamoDB over HTTP. */
export interface TransactionFront {
  /** `http://127.0.0.1:<port>`: the endpoint for SDK clients. */
  readonly endpoint: string;
  /**
   * Serves one request without HTTP, as the port serves it (the same locks and intent log), for a caller
   * in this thread; a failure is answered as DynamoDB's InternalServerError.
   */
  handle(target: string, body: Buffer): Promise<WireAnswer>;
  close(): Promise<void>;
}

const internalError = (error: unknown): WireAnswer => ({
  status: 500,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: Buffer.from(
    JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) }),
  ),
});

/**
 * @example
 * const front = await startTransactionFront({ upstream: dynaliteEndpoint });
 * const client = new DynamoDBClient({ endpoint: front.endpoint, region: 'us-east-1', credentials });
 */
export async function startTransactionFront(
  options: DynamoDbFrontOptions & {
    port?: number;
    /** Called with every answer before it is sent (a benchmark counts requests and capacity with it). */
    observe?: (target: string, answer: WireAnswer) => void;
  },
): Promise<TransactionFront & { readonly rolledBack: number }> {
  let intents: { log: IntentLog; rolledBack: number } | undefined;
  if (options.intentLogPath !== undefined) {
    const recovery = createUpstream(options.upstream);
    intents = await openIntentLog(options.intentLogPath, recovery).finally(() => recovery.close());
  }
  const front = createDynamoDbFront(options, intents?.log);
  const handle = async (target: string, body: Buffer): Promise<WireAnswer> => {
    const answer = await front.handle(target, body).catch(internalError);
    options.observe?.(target, answer);
    return answer;
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const target = String(req.headers['x-amz-target'] ?? '');
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(target, Buffer.concat(chunks)).then((answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    front.close();
    throw error;
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rolledBack: intents?.rolledBack ?? 0,
    handle,
    close: async () => {
      front.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
