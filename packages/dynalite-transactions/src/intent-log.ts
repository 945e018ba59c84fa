/**
 * Keeps a transaction all or none across a crash of the process. dynalite applies a transaction's
 * actions one by one, so a `kill -9` between two of them would leave half a transaction. Before the
 * first action is applied, the items as they were (read under the tables' locks) are appended to this
 * log with one synchronous write; after the last one, an end mark. At start, every transaction without
 * its end mark is rolled back: its items are put back as they were. The client of such a transaction
 * never got its answer (the answer goes out after the end mark), so for it the transaction did not
 * happen, as a DynamoDB transaction that failed.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Item } from './dynalite-internals';
import type { Upstream } from './upstream';

/** An item as it was before a transaction: absent (`before` undefined) or the whole item. */
export interface ItemBefore {
  readonly table: string;
  readonly key: Item;
  readonly before?: Item;
}

type IntentRecord = { readonly begin: number; readonly items: readonly ItemBefore[] } | { readonly end: number };

export interface IntentLog {
  /** Records the items a transaction will change; returns its number. */
  begin(items: readonly ItemBefore[]): number;
  end(id: number): void;
  close(): void;
}

/** Rolls back what a crash left unfinished, then opens the log afresh. */
export async function openIntentLog(path: string, upstream: Upstream): Promise<{ log: IntentLog; rolledBack: number }> {
  mkdirSync(dirname(path), { recursive: true });
  const unfinished = unfinishedTransactions(path);
  for (const items of unfinished) {
    for (const { table, key, before } of items) {
      if (before === undefined) await upstream.call('DeleteItem', { TableName: table, Key: key });
      else await upstream.call('PutItem', { TableName: table, Item: before });
    }
  }
  writeFileSync(path, '');
  let fd: number | undefined = openSync(path, 'a');
  let next = 0;
  const write = (record: IntentRecord) => {
    if (fd !== undefined) writeSync(fd, `${JSON.stringify(record)}\n`);
  };
  const log: IntentLog = {
    begin(items) {
      next += 1;
      write({ begin: next, items });
      return next;
    },
    end(id) {
      write({ end: id });
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
  return { log, rolledBack: unfinished.length };
}

/** The items of every transaction begun and not ended (at most one per item: an item's writes queue). */
function unfinishedTransactions(path: string): (readonly ItemBefore[])[] {
  if (!existsSync(path)) return [];
  const begun = new Map<number, readonly ItemBefore[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let record: IntentRecord;
    try {
      record = JSON.parse(line) as IntentRecord;
    } catch {
      continue; // empty, or torn by the crash: that transaction had not begun applying
    }
    if ('begin' in record) begun.set(record.begin, record.items);
    else begun.delete(record.end);
  }
  return [...begun.values()];
}
