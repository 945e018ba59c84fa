/**
 * An append-only journal of JSON lines that survives a crash of the process (`kill -9`): each record
 * is written with one synchronous `write` before the caller goes on, so what was acknowledged is in
 * the file (the operating system keeps it, whatever happens to the process). Opening a journal reads
 * it back, tolerates a torn last line (the crash came in the middle of a write), and rewrites it with
 * only the records the owner still needs (`compact`), so it does not grow without end.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** An open journal: records are appended one line each. */
export interface JsonlJournal<Entry> {
  readonly path: string;
  /** Appends one record; it is in the file when this returns. */
  append(entry: Entry): void;
  close(): void;
}

export interface OpenedJournal<Entry> {
  readonly journal: JsonlJournal<Entry>;
  /** The records the file held, after compaction. */
  readonly entries: readonly Entry[];
  /** Lines that were not JSON (a torn last line after a crash). */
  readonly unreadable: number;
}

/**
 * Opens (or creates) a journal. `compact` receives every record read back and returns the ones worth
 * keeping; the file is rewritten with them (a temporary file renamed over it, so a crash during the
 * rewrite leaves the old file or the new one, never a half).
 *
 * @example
 * const { journal, entries } = openJsonlJournal<Op>('.local/journal/bus.jsonl', pendingOnly);
 * journal.append({ op: 'accepted', id });
 */
export function openJsonlJournal<Entry>(
  path: string,
  compact: (entries: readonly Entry[]) => readonly Entry[] = (entries) => entries,
): OpenedJournal<Entry> {
  mkdirSync(dirname(path), { recursive: true });
  const { entries: read, unreadable } = readEntries<Entry>(path);
  const entries = compact(read);
  const temporary = `${path}.compacting`;
  writeFileSync(temporary, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
  renameSync(temporary, path);
  let fd: number | undefined = openSync(path, 'a');
  const journal: JsonlJournal<Entry> = {
    path,
    append(entry) {
      if (fd === undefined) return;
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
  return { journal, entries, unreadable };
}

/** Every record of a journal file, without opening it for writing. */
export function readEntries<Entry>(path: string): { entries: Entry[]; unreadable: number } {
  if (!existsSync(path)) return { entries: [], unreadable: 0 };
  const entries: Entry[] = [];
  let unreadable = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as Entry);
    } catch {
      unreadable += 1;
    }
  }
  return { entries, unreadable };
}
