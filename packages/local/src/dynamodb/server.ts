/**
 * A local DynamoDB endpoint backed by dynalite (LevelDB), in memory or persisted in a directory, behind
 * the transaction front of `@core/dynalite-transactions` (dynalite has no TransactWriteItems).
 *
 * dynalite does not implement Streams or TTL expiry: functions that rely on them see no effect.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startTransactionFront } from '@core/dynalite-transactions';
import dynalite from 'dynalite';
import { dynamoDbRequest } from './client';
import { LocalDynamoDbError } from '../errors';

/** Options for {@link startDynamoDb}. */
export interface StartDynamoDbOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Keep the data in this LevelDB directory (created if missing) so it survives restarts. @default in memory */
  readonly dataDir?: string;
  /** How long a new table stays CREATING, in ms (also used for DELETING and UPDATING). @default 0, ACTIVE at once */
  readonly createTableMs?: number;
  /** Region shown in table ARNs that DescribeTable returns. @default `AWS_REGION`, else `us-east-1` (dynalite's choice) */
  readonly region?: string;
  /** Account id shown in table ARNs that DescribeTable returns. @default `000000000000` */
  readonly accountId?: string;
}

/** A running local DynamoDB. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB` or a client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** The LevelDB directory, when persistent. */
  readonly dataDir: string | undefined;
  /** Stops the server, drops open connections and releases the data directory. Safe to call twice. */
  close(): Promise<void>;
}

const LOCK_FILE = 'local-dynamodb.pid';
const TRANSACTION_LOG = 'transactions.jsonl';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims `dataDir` with a pid file. A second dynalite on a LevelDB directory that is in use does not fail
 * cleanly (it crashes the process on an unhandled stream error), so this check has to come first.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, LOCK_FILE);
  const claim = (): void => writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
  try {
    claim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new LocalDynamoDbError(
        'DATA_DIR_LOCKED',
        `${dataDir} is already used by a local DynamoDB (process ${holder}${holder === process.pid ? ', this one' : ''}); stop it or use another dataDir`,
      );
    }
    rmSync(lockPath, { force: true });
    claim();
  }
  return () => rmSync(lockPath, { force: true });
}

/** dynalite reads the account and region for its ARNs from the environment when it is created. */
function createDynalite(options: StartDynamoDbOptions, dataDir: string | undefined): Server {
  const saved = { AWS_ACCOUNT_ID: process.env['AWS_ACCOUNT_ID'], AWS_REGION: process.env['AWS_REGION'] };
  process.env['AWS_ACCOUNT_ID'] = options.accountId ?? '000000000000';
  if (options.region !== undefined) process.env['AWS_REGION'] = options.region;
  try {
    const delay = options.createTableMs ?? 0;
    return dynalite({
      ...(dataDir === undefined ? {} : { path: dataDir }),
      createTableMs: delay,
      deleteTableMs: delay,
      updateTableMs: delay,
    });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolveListen, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose, reject) => {
    server.close((error) => (error ? reject(error) : resolveClose()));
    // Clients keep connections alive; without this, close() waits for them to time out.
    server.closeAllConnections();
  });
}

/**
 * Starts a local DynamoDB on 127.0.0.1. Tables become ACTIVE at once unless `createTableMs` says otherwise.
 *
 * @throws LocalDynamoDbError `DATA_DIR_LOCKED` when `dataDir` is in use, `START_FAILED` when the port is
 * taken or the store does not answer.
 *
 * @example
 * const db = await startDynamoDb({ dataDir: '.local/dynamodb' });
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint; // or pass it to a Lambda worker's environment
 * await db.close();
 */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  let unlock = (): void => {};
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  const server = createDynalite(options, dataDir);
  let front: Awaited<ReturnType<typeof startTransactionFront>>;
  try {
    const dynalitePort = await listen(server, 0);
    front = await startTransactionFront({
      upstream: `http://127.0.0.1:${dynalitePort}`,
      port: options.port ?? 0,
      // A transaction cut short by a crash of this process is rolled back when the data is opened again.
      ...(dataDir === undefined ? {} : { intentLogPath: join(dataDir, TRANSACTION_LOG) }),
    });
  } catch (cause) {
    await closeServer(server).catch(() => undefined);
    unlock();
    throw new LocalDynamoDbError(
      'START_FAILED',
      `local DynamoDB could not listen on 127.0.0.1:${options.port ?? 0}: ${String(cause)}`,
      { cause },
    );
  }
  const endpoint = front.endpoint;
  const port = Number(new URL(endpoint).port);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= front
      .close()
      .then(() => closeServer(server))
      .finally(unlock);
    return closing;
  };
  try {
    // Opens the store now, so a broken data directory fails here and not at the first real request.
    await dynamoDbRequest(endpoint, 'ListTables', {});
  } catch (cause) {
    await close().catch(() => undefined);
    throw new LocalDynamoDbError('START_FAILED', `local DynamoDB at ${endpoint} did not answer: ${String(cause)}`, {
      cause,
    });
  }
  return { endpoint, port, dataDir, close };
}
