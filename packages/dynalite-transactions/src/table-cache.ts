/**
 * A dynalite server that keeps its table descriptions in memory. dynalite reads a table's description
 * from LevelDB on every request (GetItem, PutItem, Query: one more LevelDB read each, and a transaction
 * makes several such requests); here a description is read once and served from memory until dynalite
 * writes or deletes it (CreateTable, UpdateTable, DeleteTable, a status change), so every answer stays
 * the one dynalite would give.
 */
import type { Server } from 'node:http';

type Callback = (error: Error | null, value?: unknown) => void;

/** The part of dynalite's table store (its `tableDb`) that the cache wraps. */
interface TableDb {
  get(key: string, callback: Callback): void;
  put(key: string, value: unknown, callback: Callback): void;
  del(key: string, callback: Callback): void;
}

interface DynaliteDbModule {
  create(options: Record<string, unknown>): { tableDb: TableDb };
}

/** The options `dynalite()` takes (`path`, `createTableMs`, ...), passed on as they are. */
export type DynaliteOptions = Record<string, unknown>;

/**
 * Serves `get` from memory once a description was read. Each value is kept as JSON and parsed per read,
 * so a caller that changes the description it got changes only its own copy. A write or delete forgets
 * the key when it starts and when it ends, and a read that overlapped one is not kept.
 */
function cacheTableDescriptions(tableDb: TableDb): void {
  const cached = new Map<string, string>();
  let writes = 0;
  const get = tableDb.get.bind(tableDb);
  const put = tableDb.put.bind(tableDb);
  const del = tableDb.del.bind(tableDb);
  const forget = (key: string): void => {
    writes += 1;
    cached.delete(key);
  };
  tableDb.get = (key, callback) => {
    const hit = cached.get(key);
    if (hit !== undefined) return void setImmediate(callback, null, JSON.parse(hit));
    const writesBefore = writes;
    get(key, (error, value) => {
      if (error === null && value !== undefined && writes === writesBefore) cached.set(key, JSON.stringify(value));
      callback(error, value);
    });
  };
  tableDb.put = (key, value, callback) => {
    forget(key);
    put(key, value, (error) => (forget(key), callback(error)));
  };
  tableDb.del = (key, callback) => {
    forget(key);
    del(key, (error) => (forget(key), callback(error)));
  };
}

/**
 * `dynalite(options)` with its table descriptions kept in memory ({@link cacheTableDescriptions}).
 * dynalite builds its store inside `dynalite()`; the store's factory is wrapped for that one call.
 */
export function dynaliteWithTableCache(options: DynaliteOptions = {}): Server {
  /* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships CommonJS without types */
  const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
  const db = require('dynalite/db') as DynaliteDbModule; // its internal store factory
  /* eslint-enable @typescript-eslint/no-require-imports */
  const create = db.create;
  db.create = (storeOptions) => {
    const store = create(storeOptions);
    cacheTableDescriptions(store.tableDb);
    return store;
  };
  try {
    return dynalite(options);
  } finally {
    db.create = create;
  }
}
