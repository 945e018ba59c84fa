/** The local SQS queue (visibility, receive counts, redrive, its journal) and Lambda's SQS event source mapping. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalQueue, md5OfBody, startSqsEventSource, type SqsEventRecord } from '../src/sqs';

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
let clock = Date.parse('2026-12-01T10:00:00Z');
const now = () => new Date(clock);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-sqs-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('LocalQueue', () => {
  it('hides a received message for the visibility timeout, counts its receives, and deletes it by receipt handle', async () => {
    const queue = new LocalQueue({ arn: arn('work'), visibilityTimeoutMs: 30_000, now });
    await queue.send({ body: '{"n":1}', attributes: { ERROR_CODE: 'THROTTLING' } });
    const [first] = queue.receive({ max: 10 });
    expect(first).toMatchObject({ body: '{"n":1}', receiveCount: 1, attributes: { ERROR_CODE: 'THROTTLING' } });
    expect(queue.receive({ max: 10 })).toEqual([]);
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 1 });
    clock += 30_000;
    const [again] = queue.receive();
    expect(again?.receiveCount).toBe(2);
    expect(queue.delete(first?.receiptHandle ?? '')).toBe(false);
    expect(queue.delete(again?.receiptHandle ?? '')).toBe(true);
    expect(queue.messages).toEqual([]);
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue at its next receive', async () => {
    const deadLetters = new LocalQueue({ arn: arn('dead'), now });
    const queue = new LocalQueue({ arn: arn('work'), visibilityTimeoutMs: 1_000, now });
    queue.setRedrivePolicy(deadLetters, 2);
    await queue.send({ body: 'b' });
    for (let receive = 0; receive < 2; receive++) {
      expect(queue.receive()).toHaveLength(1);
      clock += 1_000;
    }
    expect(queue.receive()).toEqual([]);
    expect(deadLetters.messages).toEqual([
      expect.objectContaining({ body: 'b', receiveCount: 2, deadLetterSourceArn: arn('work') }),
    ]);
    // The redrive (StartMessageMoveTask) sends it back to its source as a new message.
    expect(
      await deadLetters.moveMessages((message) => (message.deadLetterSourceArn === queue.arn ? queue : undefined)),
    ).toBe(1);
    expect(queue.messages).toEqual([expect.objectContaining({ body: 'b', receiveCount: 0 })]);
  });

  it('reads its journal back: a restart keeps each message with its receive count and visibility, a torn last line is skipped', async () => {
    const filePath = join(tempDir(), 'queues', 'work.jsonl');
    const queue = new LocalQueue({ arn: arn('work'), visibilityTimeoutMs: 60_000, filePath, now });
    await queue.send({ body: 'kept' });
    await queue.send({ body: 'deleted' });
    await queue.send({ body: 'in flight' });
    const [kept, deleted, inFlight] = queue.receive({ max: 3 });
    queue.delete(deleted?.receiptHandle ?? '');
    queue.changeVisibility(kept?.receiptHandle ?? '', 0);
    queue.close();
    appendFileSync(filePath, '{"op":"delete","messageId":"torn');

    const restarted = new LocalQueue({ arn: arn('work'), visibilityTimeoutMs: 60_000, filePath, now });
    expect(restarted.messages.map(({ body, receiveCount }) => ({ body, receiveCount }))).toEqual([
      { body: 'kept', receiveCount: 1 },
      { body: 'in flight', receiveCount: 1 },
    ]);
    expect(restarted.receive({ max: 10 }).map((message) => message.body)).toEqual(['kept']);
    expect(inFlight?.body).toBe('in flight');
    clock += 60_000;
    expect(restarted.receive({ max: 10 }).map((message) => message.body)).toEqual(['kept', 'in flight']);
    restarted.close();
    // The file was compacted at the second start: one line per message held then, none for the deleted one.
    expect(readFileSync(filePath, 'utf8')).not.toContain('"deleted"');
  });

  it('reads the older send-only log (lines without op) as messages', async () => {
    const filePath = join(tempDir(), 'old.jsonl');
    appendFileSync(
      filePath,
      `${JSON.stringify({ queueArn: arn('dead'), messageId: 'm-1', body: 'x', attributes: { A: '1' }, sentAt: '2026-01-01T00:00:00.000Z' })}\n`,
    );
    const queue = new LocalQueue({ arn: arn('dead'), filePath, now });
    expect(queue.messages).toEqual([
      { messageId: 'm-1', body: 'x', attributes: { A: '1' }, sentAt: '2026-01-01T00:00:00.000Z', receiveCount: 0 },
    ]);
    queue.close();
  });
});

describe('the SQS event source mapping', () => {
  const setUp = (handler: (records: readonly SqsEventRecord[]) => unknown, options: { report?: boolean } = {}) => {
    const queue = new LocalQueue({ arn: arn('undelivered'), visibilityTimeoutMs: 50 });
    const batches: string[][] = [];
    const source = startSqsEventSource({
      queue,
      batchSize: 2,
      reportBatchItemFailures: options.report ?? true,
      region: 'us-east-1',
      invoke: async ({ Records }) => {
        batches.push(Records.map((record) => record.body));
        try {
          return { ok: true, value: handler(Records) };
        } catch (error) {
          return { ok: false, errorType: 'Error', errorMessage: String(error) };
        }
      },
    });
    return { queue, batches, source };
  };

  it('hands batches of at most BatchSize to the function and deletes what it handled', async () => {
    const { queue, batches, source } = setUp(() => ({ batchItemFailures: [] }));
    for (const body of ['a', 'b', 'c']) await queue.send({ body });
    await source.idle();
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c']);
    expect(batches.every((batch) => batch.length <= 2)).toBe(true);
    expect(queue.messages).toEqual([]);
    expect(source.metrics).toMatchObject({ handled: 3, failed: 0 });
    await source.close();
  });

  it('gives each record as Lambda does: ids, receipt handle, attributes, message attributes, MD5 of the body', async () => {
    let seen: SqsEventRecord | undefined;
    const { queue, source } = setUp((records) => {
      seen = records[0];
      return null;
    });
    await queue.send({ body: '{"x":1}', attributes: { ERROR_CODE: 'TIMEOUT' } });
    await source.idle();
    expect(seen).toMatchObject({
      body: '{"x":1}',
      md5OfBody: md5OfBody('{"x":1}'),
      eventSource: 'aws:sqs',
      eventSourceARN: arn('undelivered'),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { ERROR_CODE: { stringValue: 'TIMEOUT', dataType: 'String' } },
    });
    await source.close();
  });

  it('keeps the reported batch item failures, and the whole batch when the function fails or names an unknown id', async () => {
    let calls = 0;
    const { queue, source } = setUp((records) => {
      calls += 1;
      if (calls === 1) return { batchItemFailures: [{ itemIdentifier: records[1]?.messageId }] };
      if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-the-batch' }] };
      if (calls === 3) throw new Error('handler down');
      return {};
    });
    await queue.send({ body: 'ok' });
    await queue.send({ body: 'fails' });
    for (let wait = 0; calls < 4 && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    await source.idle();
    await new Promise((resolve) => setTimeout(resolve, 120));
    await source.idle();
    expect(calls).toBe(4);
    expect(queue.messages).toEqual([]);
    expect(source.metrics.failed).toBe(3);
    await source.close();
  });
});
