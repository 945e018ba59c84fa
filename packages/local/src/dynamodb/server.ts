/**
 * A local DynamoDB endpoint backed by dynalite (LevelDB), in memory or persisted in a directory, behind
 * the transaction front of `@core/dynalite-transactions` (dynalite has no TransactWriteItems); both run
 * in a worker thread of their own, so the store's work does not queue behind the caller's.
 *
 * dynalite does not implement Streams or TTL expiry: functions that rely on them see no effect.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { dynamoDbRequest } from './client';
import { STORE_THREAD_SOURCE } from './store-thread-source';
import { workerExecArgv } from '../worker-exec-argv';
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
  /**
   * Serves one DynamoDB request (`X-Amz-Target`, JSON body) in the store's thread without a socket, as the
   * endpoint serves it: the answer's status, headers and body.
   */
  request(target: string, body: Buffer): Promise<StoreAnswer>;
  /** Stops the server, drops open connections and releases the data directory. Safe to call twice. */
  close(): Promise<void>;
}

/** A DynamoDB answer as the store gave it. */
export interface StoreAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
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

/** The store's thread, once its servers listen. */
interface StoreThread {
  /** The transaction front's endpoint, in front of dynalite. */
  readonly endpoint: string;
  request: LocalDynamoDb['request'];
  /** Closes both servers (and their connections), then ends the thread. */
  close(): Promise<void>;
}

type StoreThreadMessage =
  | { type: 'listening'; endpoint: string }
  | { type: 'failed'; message: string }
  | { type: 'closed' }
  | { type: 'answer'; id: number; status: number; headers: StoreAnswer['headers']; body: Uint8Array };

/** What a request gets once the store's thread has ended: the answer DynamoDB gives when it cannot serve. */
const STORE_GONE: StoreAnswer = {
  status: 500,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: Buffer.from(
    JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'the store stopped' }),
  ),
};

/**
 * Requests sent to the store's thread by id, each answered once by its `answer` message, or with
 * {@link STORE_GONE} when the thread ends first.
 */
function requestsOf(worker: Worker): LocalDynamoDb['request'] {
  const waiting = new Map<number, (answer: StoreAnswer) => void>();
  let lastId = 0;
  let ended = false;
  worker.on('message', (message: StoreThreadMessage) => {
    if (message.type !== 'answer') return;
    const { id, status, headers, body } = message;
    waiting.get(id)?.({ status, headers, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) });
    waiting.delete(id);
  });
  worker.once('exit', () => {
    ended = true;
    waiting.forEach((answer) => answer(STORE_GONE));
    waiting.clear();
  });
  return (target, body) =>
    new Promise((resolveAnswer) => {
      if (ended) return resolveAnswer(STORE_GONE);
      lastId += 1;
      waiting.set(lastId, resolveAnswer);
      worker.postMessage({ type: 'request', id: lastId, target, body });
    });
}

/**
 * Starts dynalite and the transaction front in a worker thread of their own. dynalite reads the
 * account and region for its ARNs from the environment when it is created: the thread's own copy.
 */
function startStoreThread(options: StartDynamoDbOptions, dataDir: string | undefined): Promise<StoreThread> {
  const worker = new Worker(STORE_THREAD_SOURCE, {
    eval: true,
    name: 'local-dynamodb',
    execArgv: workerExecArgv(),
    env: {
      ...process.env,
      AWS_ACCOUNT_ID: options.accountId ?? '000000000000',
      ...(options.region === undefined ? {} : { AWS_REGION: options.region }),
    },
    workerData: {
      resolveFrom: __filename,
      dataDir,
      port: options.port ?? 0,
      createTableMs: options.createTableMs ?? 0,
      // A transaction cut short by a crash of this process is rolled back when the data is opened again.
      intentLogPath: dataDir === undefined ? undefined : join(dataDir, TRANSACTION_LOG),
    },
  });
  const closed = new Promise<void>((resolveClosed) => {
    worker.on('message', (message: StoreThreadMessage) => message.type === 'closed' && resolveClosed());
    worker.once('exit', () => resolveClosed());
  });
  const close = async (): Promise<void> => {
    worker.postMessage({ type: 'close' });
    await closed;
    await worker.terminate();
  };
  return new Promise((resolveStarted, reject) => {
    worker.on('message', (message: StoreThreadMessage) => {
      if (message.type === 'listening')
        resolveStarted({ endpoint: message.endpoint, request: requestsOf(worker), close });
      if (message.type === 'failed') void worker.terminate().then(() => reject(new Error(message.message)));
    });
    worker.once('error', reject);
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
  let store: StoreThread;
  try {
    store = await startStoreThread(options, dataDir);
  } catch (cause) {
    unlock();
    throw new LocalDynamoDbError(
      'START_FAILED',
      `local DynamoDB could not listen on 127.0.0.1:${options.port ?? 0}: ${String(cause)}`,
      { cause },
    );
  }
  const endpoint = store.endpoint;
  const port = Number(new URL(endpoint).port);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= store.close().finally(unlock);
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
  return { endpoint, port, dataDir, request: store.request, close };
}
