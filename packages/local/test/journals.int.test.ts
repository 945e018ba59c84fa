/**
 * What the local core journals to lose nothing across a restart: accepted bus events until each
 * delivery finished, asynchronous invocations until they finished or went to the dead-letter queue,
 * and the files that keep them (read back, compacted, a torn last line skipped).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Closers } from '../src/boot/closers';
import type { LocalFunctions } from '../src/boot/functions';
import { openJournals } from '../src/boot/journals';
import { DeliveryError } from '../src/errors';
import { createLocalEventBus, type BusJournal, type LocalRule } from '../src/eventbridge';
import { openJsonlJournal } from '../src/journal/jsonl-file';
import {
  createLocalFunction,
  type AsyncInvocationFailure,
  type AsyncInvocationJournal,
  type LocalFunctionOptions,
} from '../src/lambda';

const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-journal-'));
  dirs.push(dir);
  return dir;
};

const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:orders';
const rule: LocalRule = {
  name: 'orders',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/core/orders',
  eventBusName: 'core',
  eventPattern: { source: ['app.orders'] },
  targets: [{ id: 'fn', arn: FN_ARN }],
};
const entry = { Source: 'app.orders', DetailType: 'Placed', Detail: '{"orderId":"o-1"}', EventBusName: 'core' };

function bus(deliver: () => Promise<void>, journal: BusJournal) {
  return createLocalEventBus({
    region: 'us-east-1',
    accountId: '000000000000',
    buses: ['core'],
    rules: [rule],
    retryBaseMs: 5_000,
    journal,
    deliver,
    deadLetter: async () => undefined,
    log: () => undefined,
  });
}

describe('the bus journal', () => {
  it('keeps an accepted event until its delivery finished, and a restart delivers what a stop interrupted', async () => {
    const dir = tempDir();
    const first = openJournals(dir, new Closers(() => undefined));
    const failing = bus(async () => {
      throw new DeliveryError('THROTTLING', 'throttled', { retryable: true });
    }, first.bus as BusJournal);
    const [accepted] = failing.putEvents({ Entries: [entry] }).Entries;
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first attempt failed; a retry waits
    await failing.close();
    const journalFile = readFileSync(join(dir, 'journal', 'bus.jsonl'), 'utf8');
    expect(journalFile).toContain('"op":"accepted"');
    expect(journalFile).not.toContain('"op":"finished"');

    const delivered: unknown[] = [];
    const second = openJournals(dir, new Closers(() => undefined));
    const working = bus(async () => void delivered.push('delivered'), second.bus as BusJournal);
    const functions = { find: () => undefined } as unknown as LocalFunctions;
    await second.resume(working, functions, () => undefined);
    await working.idle();
    expect(delivered).toEqual(['delivered']);
    await working.close();

    // The third start finds nothing unfinished: the delivery was journalled finished.
    const third = openJournals(dir, new Closers(() => undefined));
    const lines: string[] = [];
    await third.resume(
      bus(async () => undefined, third.bus as BusJournal),
      functions,
      (line) => lines.push(line),
    );
    expect(lines).toEqual([]);
    expect(accepted).toHaveProperty('EventId');
  });
});

describe('the asynchronous invocation journal', () => {
  const records: string[] = [];
  const journal: AsyncInvocationJournal = {
    queued: ({ invocationId }) => void records.push(`queued ${invocationId}`),
    finished: (invocationId) => void records.push(`finished ${invocationId}`),
  };
  const localFunction = (handler: string, options: Partial<LocalFunctionOptions> = {}) => {
    const fn = createLocalFunction({
      name: 'orders',
      arn: FN_ARN,
      assetDir: join(__dirname, 'fixtures/lambda/handlers'),
      handler: `index.${handler}`,
      runtime: 'nodejs24.x',
      log: () => undefined,
      asyncJournal: journal,
      asyncRetryDelaysMs: [],
      ...options,
    });
    cleanups.push(() => fn.close());
    return fn;
  };

  it('journals an invocation queued, then finished once it succeeded', async () => {
    records.length = 0;
    const fn = localFunction('echo');
    await fn.invokeAsync({ n: 1 });
    await fn.drain();
    expect(records).toEqual([expect.stringMatching(/^queued /), records[0]?.replace('queued', 'finished')]);
  });

  it('leaves an invocation cut short by close unfinished, and resumes it under its own id', async () => {
    records.length = 0;
    const hanging = localFunction('hangs');
    await hanging.invokeAsync({ hang: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await hanging.close();
    expect(records).toEqual([expect.stringMatching(/^queued /)]);
    const invocationId = records[0]?.slice('queued '.length) ?? '';

    const restarted = localFunction('hangs');
    await restarted.invokeAsync({ hang: false }, { invocationId, queuedAt: Date.now() });
    await restarted.drain();
    expect(records).toEqual([`queued ${invocationId}`, `finished ${invocationId}`]);
  });

  it('fails an invocation older than its maximum event age with EventAgeExceeded, without running it', async () => {
    const failures: AsyncInvocationFailure[] = [];
    const fn = localFunction('echo', { maximumEventAgeMs: 60_000, onAsyncFailure: (f) => void failures.push(f) });
    await fn.invokeAsync({ n: 2 }, { invocationId: 'old-1', queuedAt: Date.now() - 61_000 });
    await fn.drain();
    expect(failures).toEqual([
      expect.objectContaining({
        invocationId: 'old-1',
        error: expect.objectContaining({ errorType: 'EventAgeExceeded' }),
      }),
    ]);
    expect(fn.metrics.invocations).toBe(0);
  });

  it('ends a running invocation whose event matches, as a crash of its environment (Runtime.ExitError)', async () => {
    const failures: AsyncInvocationFailure[] = [];
    const fn = localFunction('hangs', { onAsyncFailure: (f) => void failures.push(f) });
    await fn.invokeAsync({ hang: true, id: 'doomed' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await fn.terminateRunning((eventJson) => eventJson.includes('"other"'))).toBe(0);
    expect(await fn.terminateRunning((eventJson) => eventJson.includes('"doomed"'))).toBe(1);
    await fn.drain();
    expect(failures.map((failure) => failure.error.errorType)).toEqual(['Runtime.ExitError']);
  });
});

describe('a journal file', () => {
  it('is read back compacted, skipping a line a crash tore', () => {
    const path = join(tempDir(), 'nested', 'j.jsonl');
    const opened = openJsonlJournal<{ n: number }>(path);
    opened.journal.append({ n: 1 });
    opened.journal.append({ n: 2 });
    opened.journal.close();
    appendFileSync(path, '{"n":');
    const again = openJsonlJournal<{ n: number }>(path, (entries) => entries.filter((entry) => entry.n > 1));
    expect(again.entries).toEqual([{ n: 2 }]);
    expect(again.unreadable).toBe(1);
    again.journal.close();
    expect(readFileSync(path, 'utf8')).toBe('{"n":2}\n');
  });
});
