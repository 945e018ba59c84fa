/**
 * The journals that make the local core lose nothing across a restart, a crash included: every bus
 * event accepted, until each rule target delivery of it finished (`<dataDir>/journal/bus.jsonl`), and
 * every asynchronous invocation queued, until it finished or went to its dead-letter queue
 * (`<dataDir>/journal/lambda-async.jsonl`). Queues keep their own journals (queues.ts). Without a data
 * folder nothing is journalled. At boot each journal is read back, compacted to what is unfinished,
 * and that is resumed once every part is running (`resume`).
 */
import { join } from 'node:path';
import type { BusJournal, JournalledBusEvent, LocalEventBus } from '../eventbridge';
import { openJsonlJournal, type JsonlJournal } from '../journal/jsonl-file';
import type { AsyncInvocationJournal, QueuedInvocation } from '../lambda';
import type { Closers } from './closers';
import type { LocalFunctions } from './functions';

type BusRecord =
  | ({ readonly op: 'accepted' } & JournalledBusEvent)
  | { readonly op: 'finished'; readonly eventId: string; readonly delivery: string };

type AsyncRecord =
  | ({ readonly op: 'queued'; readonly functionName: string } & QueuedInvocation)
  | { readonly op: 'finished'; readonly invocationId: string };

export interface LocalJournals {
  readonly bus: BusJournal | undefined;
  /** The journal of one function's asynchronous invocations. */
  asyncOf(functionName: string): AsyncInvocationJournal | undefined;
  /** Resumes what the journals held when the core started: bus deliveries, then queued invocations. */
  resume(bus: LocalEventBus, functions: LocalFunctions, write: (line: string) => void): Promise<void>;
}

export function openJournals(dataDir: string | undefined, closers: Closers): LocalJournals {
  if (dataDir === undefined) return { bus: undefined, asyncOf: () => undefined, resume: async () => undefined };
  const busFile = openJsonlJournal<BusRecord>(join(dataDir, 'journal', 'bus.jsonl'), unfinishedEvents);
  const asyncFile = openJsonlJournal<AsyncRecord>(
    join(dataDir, 'journal', 'lambda-async.jsonl'),
    unfinishedInvocations,
  );
  closers.add(async () => {
    busFile.journal.close();
    asyncFile.journal.close();
  });
  return {
    bus: busJournal(busFile.journal),
    asyncOf: (functionName) => asyncJournal(asyncFile.journal, functionName),
    resume: async (bus, functions, write) => {
      const events = busFile.entries.filter((entry) => entry.op === 'accepted');
      const invocations = asyncFile.entries.filter((entry) => entry.op === 'queued');
      if (events.length + invocations.length > 0)
        write(
          `resuming what the last run left unfinished: ${events.length} bus event(s), ${invocations.length} asynchronous invocation(s)`,
        );
      bus.resume(events);
      for (const { functionName, invocationId, event, queuedAt } of invocations) {
        const entry = functions.find(functionName);
        if (entry === undefined)
          write(`!! a journalled invocation of ${functionName}, which no longer exists, is dropped`);
        else await entry.fn.invokeAsync(event, { invocationId, queuedAt });
      }
    },
  };
}

function busJournal(journal: JsonlJournal<BusRecord>): BusJournal {
  return {
    accepted: (event) => journal.append({ op: 'accepted', ...event }),
    finished: (eventId, delivery) => journal.append({ op: 'finished', eventId, delivery }),
  };
}

function asyncJournal(journal: JsonlJournal<AsyncRecord>, functionName: string): AsyncInvocationJournal {
  return {
    queued: (invocation) => journal.append({ op: 'queued', functionName, ...invocation }),
    finished: (invocationId) => journal.append({ op: 'finished', invocationId }),
  };
}

/** The accepted events with the deliveries not yet finished. */
function unfinishedEvents(records: readonly BusRecord[]): BusRecord[] {
  const events = new Map<string, JournalledBusEvent & { op: 'accepted' }>();
  const finished = new Map<string, Set<string>>();
  for (const record of records) {
    if (record.op === 'accepted') events.set(record.envelope.id, record);
    else finished.set(record.eventId, (finished.get(record.eventId) ?? new Set()).add(record.delivery));
  }
  return [...events.values()].flatMap((event) => {
    const done = finished.get(event.envelope.id) ?? new Set();
    const deliveries = event.deliveries.filter((delivery) => !done.has(delivery));
    return deliveries.length === 0 ? [] : [{ ...event, deliveries }];
  });
}

/** The queued invocations not yet finished. */
function unfinishedInvocations(records: readonly AsyncRecord[]): AsyncRecord[] {
  const queued = new Map<string, AsyncRecord>();
  for (const record of records) {
    if (record.op === 'queued') queued.set(record.invocationId, record);
    else queued.delete(record.invocationId);
  }
  return [...queued.values()];
}
