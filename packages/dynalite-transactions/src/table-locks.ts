/**
 * One queue per table: every write to a table waits for the writes before it, so a transaction's
 * condition checks and its writes see no other writer in between. Tables are always taken in name
 * order, so two requests that need the same tables cannot wait for each other.
 */
export interface TableLocks {
  /** Runs `work` once every table in `tables` is free, holding them until it settles. */
  withTables<T>(tables: Iterable<string>, work: () => Promise<T>): Promise<T>;
}

export function createTableLocks(): TableLocks {
  const tails = new Map<string, Promise<void>>();

  const take = async (table: string): Promise<() => void> => {
    const before = tails.get(table) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    tails.set(table, tail);
    await before;
    return () => {
      release();
      if (tails.get(table) === tail) tails.delete(table);
    };
  };

  return {
    async withTables(tables, work) {
      const releases: (() => void)[] = [];
      try {
        for (const table of [...new Set(tables)].sort()) releases.push(await take(table));
        return await work();
      } finally {
        for (const release of releases.reverse()) release();
      }
    },
  };
}
