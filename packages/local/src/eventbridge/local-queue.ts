/**
 * A minimal in-memory SQS queue for dead letters, optionally logged to a file as JSON
 * lines so a developer can read what was dead-lettered after the run.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeadLetterMessage } from './types';

/** A message held by a {@link LocalQueue}. */
export interface LocalQueueMessage {
  readonly messageId: string;
  readonly body: string;
  /** String message attributes (for dead letters: `RULE_ARN`, `ERROR_CODE`, …). */
  readonly attributes: Record<string, string>;
  /** ISO-8601 time the message was sent. */
  readonly sentAt: string;
}

/** Options of {@link LocalQueue}. */
export interface LocalQueueOptions {
  /** The queue's ARN (`arn:aws:sqs:region:account:name`). */
  readonly arn: string;
  /**
   * Appends every sent message as one JSON line to this file (directories are created).
   * The file is a log: it is not read back, and `receive()` does not remove lines.
   * @default no file
   */
  readonly filePath?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * An in-memory queue the boot can give the event bus as a dead-letter queue.
 *
 * @example
 * ```ts
 * const dlq = new LocalQueue({ arn: 'arn:aws:sqs:us-east-1:111122223333:orders-dlq', filePath: '.local/dlq.jsonl' });
 * const bus = createLocalEventBus({ ...options, deadLetter: (arn, message) => dlq.send(message) });
 * // later, in a test:
 * const [letter] = dlq.receive();
 * letter?.attributes['ERROR_CODE']; // 'THROTTLING'
 * ```
 */
export class LocalQueue {
  public readonly arn: string;
  private readonly filePath: string | undefined;
  private readonly now: () => Date;
  private readonly held: LocalQueueMessage[] = [];
  /** Appends run one after the other so lines keep the order messages were sent in. */
  private writes: Promise<void> = Promise.resolve();

  public constructor(options: LocalQueueOptions) {
    this.arn = options.arn;
    this.filePath = options.filePath;
    this.now = options.now ?? (() => new Date());
  }

  /** Messages currently held, oldest first. */
  public get messages(): readonly LocalQueueMessage[] {
    return [...this.held];
  }

  /** Adds a message (and appends it to the file, when there is one). */
  public async send(message: DeadLetterMessage): Promise<LocalQueueMessage> {
    const stored: LocalQueueMessage = {
      messageId: randomUUID(),
      body: message.body,
      attributes: { ...message.attributes },
      sentAt: this.now().toISOString(),
    };
    this.held.push(stored);
    const filePath = this.filePath;
    if (filePath !== undefined) {
      const line = `${JSON.stringify({ queueArn: this.arn, ...stored })}\n`;
      const write = this.writes.then(async () => {
        await mkdir(dirname(filePath), { recursive: true });
        await appendFile(filePath, line, 'utf8');
      });
      // Keep the chain going after a failed write; this send still reports its own failure.
      this.writes = write.catch(() => undefined);
      await write;
    }
    return stored;
  }

  /** Removes and returns up to `max` messages, oldest first. */
  public receive(max = 10): LocalQueueMessage[] {
    return this.held.splice(0, Math.max(0, max));
  }
}
