/**
 * A standard SQS queue, as the core uses one: messages sent, received (hidden for the visibility
 * timeout, their receive count raised), deleted by receipt handle, and moved to the dead-letter queue
 * of the redrive policy when a receive would take one past `maxReceiveCount`. With a file, every
 * change is journalled (one JSON line, written before the call returns) and read back when the queue
 * is created again, so a restart, a crash included, keeps every message with its receive count and
 * visibility. Not modelled: retention, delay queues, FIFO, message groups, long-poll fairness.
 */
import { createHash, randomUUID } from 'node:crypto';
import { openJsonlJournal, type JsonlJournal } from '../journal/jsonl-file';

/** A message held by a {@link LocalQueue}. */
export interface LocalQueueMessage {
  readonly messageId: string;
  readonly body: string;
  /** String message attributes (for dead letters: `RULE_ARN`, `ERROR_CODE`, …). */
  readonly attributes: Record<string, string>;
  /** ISO-8601 time the message was sent. */
  readonly sentAt: string;
  /** How many times it was received (SQS's `ApproximateReceiveCount`). */
  readonly receiveCount: number;
  /** ISO-8601 time of its first receive. */
  readonly firstReceivedAt?: string;
  /** The queue it was moved from as a dead letter (SQS's `DeadLetterQueueSourceArn`). */
  readonly deadLetterSourceArn?: string;
}

/** A received message: hidden from other receivers until its visibility timeout ends or it is deleted. */
export interface ReceivedMessage extends LocalQueueMessage {
  readonly receiptHandle: string;
}

/** What a sender gives: a body and string attributes. */
export interface QueueMessageInput {
  readonly body: string;
  readonly attributes?: Record<string, string>;
}

/** Options of {@link LocalQueue}. */
export interface LocalQueueOptions {
  /** The queue's ARN (`arn:aws:sqs:region:account:name`). */
  readonly arn: string;
  /** The queue's URL. @default `https://sqs.<region>.amazonaws.com/<account>/<name>` */
  readonly url?: string;
  /** The queue's `VisibilityTimeout`. @default 30 s (SQS's default) */
  readonly visibilityTimeoutMs?: number;
  /**
   * Journals every change to this file and reads it back at creation (directories are created).
   * @default in memory only
   */
  readonly filePath?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

interface HeldMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: string;
  receiveCount: number;
  firstReceivedAt?: string;
  deadLetterSourceArn?: string;
  /** Epoch ms from which it can be received again. */
  visibleAt: number;
  receiptHandle?: string;
}

/** One line of a queue's journal. A line without `op` is a message of the older, send-only log. */
type QueueRecord =
  | ({ op?: 'send'; visibleAt?: number } & Omit<HeldMessage, 'visibleAt' | 'receiptHandle'>)
  | { op: 'receive'; messageId: string; visibleAt: number; receiveCount: number; firstReceivedAt: string }
  | { op: 'visibility'; messageId: string; visibleAt: number }
  | { op: 'delete'; messageId: string };

/** SQS's `MD5OfBody`: the hex MD5 of the body, which the AWS SDK checks on every received message. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/**
 * @example
 * ```ts
 * const dlq = new LocalQueue({ arn: 'arn:aws:sqs:us-east-1:111122223333:dead-letters' });
 * const queue = new LocalQueue({ arn: 'arn:aws:sqs:us-east-1:111122223333:work', visibilityTimeoutMs: 60_000 });
 * queue.setRedrivePolicy(dlq, 5);
 * await queue.send({ body: '{"n":1}' });
 * const [message] = queue.receive({ max: 10 });
 * if (message) queue.delete(message.receiptHandle);
 * ```
 */
export class LocalQueue {
  public readonly arn: string;
  public readonly name: string;
  public readonly url: string;
  public readonly visibilityTimeoutMs: number;
  private readonly now: () => Date;
  private readonly held = new Map<string, HeldMessage>();
  private readonly journal: JsonlJournal<QueueRecord> | undefined;
  private readonly listeners = new Set<() => void>();
  private redrive: { readonly queue: LocalQueue; readonly maxReceiveCount: number } | undefined;

  public constructor(options: LocalQueueOptions) {
    const [, , , region = 'us-east-1', account = '000000000000', name = options.arn] = options.arn.split(':');
    this.arn = options.arn;
    this.name = name;
    this.url = options.url ?? `https://sqs.${region}.amazonaws.com/${account}/${name}`;
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
    this.now = options.now ?? (() => new Date());
    if (options.filePath !== undefined) {
      const opened = openJsonlJournal<QueueRecord>(options.filePath, (records) => this.restore(records));
      this.journal = opened.journal;
    }
  }

  /** The queue's `RedrivePolicy`: a message received `maxReceiveCount` times moves to `queue` at its next receive. */
  public setRedrivePolicy(queue: LocalQueue, maxReceiveCount: number): void {
    this.redrive = { queue, maxReceiveCount };
  }

  public get redrivePolicy(): { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number } | undefined {
    return this.redrive === undefined
      ? undefined
      : { deadLetterTargetArn: this.redrive.queue.arn, maxReceiveCount: this.redrive.maxReceiveCount };
  }

  /** Every message held (visible or not), oldest first. */
  public get messages(): readonly LocalQueueMessage[] {
    return [...this.held.values()].map(publicView);
  }

  /** Messages that can be received now, and messages received and not yet deleted or visible again. */
  public counts(): { visible: number; inFlight: number } {
    const now = this.now().getTime();
    let visible = 0;
    for (const message of this.held.values()) if (message.visibleAt <= now) visible += 1;
    return { visible, inFlight: this.held.size - visible };
  }

  /** When the next hidden message becomes visible (epoch ms), if one is hidden. */
  public nextVisibleAt(): number | undefined {
    const now = this.now().getTime();
    let next: number | undefined;
    for (const { visibleAt } of this.held.values())
      if (visibleAt > now && (next === undefined || visibleAt < next)) next = visibleAt;
    return next;
  }

  /** Calls `listener` whenever a message is sent or made visible; returns the unsubscribe. */
  public onMessage(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a message (journalled before this resolves). */
  public async send(
    message: QueueMessageInput & { readonly deadLetterSourceArn?: string },
  ): Promise<LocalQueueMessage> {
    return this.add({
      messageId: randomUUID(),
      body: message.body,
      attributes: { ...(message.attributes ?? {}) },
      sentAt: this.now().toISOString(),
      receiveCount: 0,
      ...(message.deadLetterSourceArn === undefined ? {} : { deadLetterSourceArn: message.deadLetterSourceArn }),
      visibleAt: 0,
    });
  }

  /**
   * Receives up to `max` visible messages, oldest first, hiding each for the visibility timeout. A
   * message already received `maxReceiveCount` times moves to the dead-letter queue instead.
   */
  public receive(options: { readonly max?: number; readonly visibilityTimeoutMs?: number } = {}): ReceivedMessage[] {
    const max = Math.max(0, options.max ?? 1);
    const hideMs = options.visibilityTimeoutMs ?? this.visibilityTimeoutMs;
    const now = this.now();
    const received: ReceivedMessage[] = [];
    for (const message of [...this.held.values()]) {
      if (received.length >= max) break;
      if (message.visibleAt > now.getTime()) continue;
      if (this.redrive !== undefined && message.receiveCount >= this.redrive.maxReceiveCount) {
        this.moveToDeadLetters(message, this.redrive.queue);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now.toISOString();
      message.visibleAt = now.getTime() + hideMs;
      message.receiptHandle = randomUUID();
      this.write({
        op: 'receive',
        messageId: message.messageId,
        visibleAt: message.visibleAt,
        receiveCount: message.receiveCount,
        firstReceivedAt: message.firstReceivedAt,
      });
      received.push({ ...publicView(message), receiptHandle: message.receiptHandle });
    }
    return received;
  }

  /** Deletes the message last received with this receipt handle; false when it is not held. */
  public delete(receiptHandle: string): boolean {
    const message = this.byReceipt(receiptHandle);
    if (message === undefined) return false;
    this.held.delete(message.messageId);
    this.write({ op: 'delete', messageId: message.messageId });
    return true;
  }

  /** Sets how long a received message stays hidden from now on (`ChangeMessageVisibility`). */
  public changeVisibility(receiptHandle: string, timeoutMs: number): boolean {
    const message = this.byReceipt(receiptHandle);
    if (message === undefined) return false;
    message.visibleAt = this.now().getTime() + timeoutMs;
    this.write({ op: 'visibility', messageId: message.messageId, visibleAt: message.visibleAt });
    if (timeoutMs === 0) this.wake();
    return true;
  }

  /**
   * Moves up to `max` visible messages to another queue as new, never-received messages
   * (`StartMessageMoveTask`: a dead-letter redrive). Returns how many moved.
   */
  public async moveMessages(
    to: (message: LocalQueueMessage) => LocalQueue | undefined,
    max = Infinity,
  ): Promise<number> {
    let moved = 0;
    const now = this.now().getTime();
    for (const message of [...this.held.values()]) {
      if (moved >= max) break;
      const target = message.visibleAt <= now ? to(publicView(message)) : undefined;
      if (target === undefined) continue;
      await target.send({ body: message.body, attributes: message.attributes });
      this.held.delete(message.messageId);
      this.write({ op: 'delete', messageId: message.messageId });
      moved += 1;
    }
    return moved;
  }

  /** Closes the journal file. */
  public close(): void {
    this.journal?.close();
    this.listeners.clear();
  }

  private moveToDeadLetters(message: HeldMessage, deadLetters: LocalQueue): void {
    this.held.delete(message.messageId);
    deadLetters.add({
      ...message,
      visibleAt: 0,
      receiptHandle: undefined,
      deadLetterSourceArn: this.arn,
    });
    this.write({ op: 'delete', messageId: message.messageId });
  }

  private add(message: HeldMessage): LocalQueueMessage {
    const { receiptHandle: _none, ...kept } = message;
    this.held.set(message.messageId, kept);
    this.write({ op: 'send', ...kept });
    this.wake();
    return publicView(kept);
  }

  private byReceipt(receiptHandle: string): HeldMessage | undefined {
    for (const message of this.held.values()) if (message.receiptHandle === receiptHandle) return message;
    return undefined;
  }

  private wake(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private write(record: QueueRecord): void {
    this.journal?.append(record);
  }

  /** Rebuilds the held messages from a journal and returns the records that describe them now. */
  private restore(records: readonly QueueRecord[]): QueueRecord[] {
    for (const record of records) {
      if (record.op === undefined || record.op === 'send') {
        const { messageId, body, attributes, sentAt, receiveCount, firstReceivedAt, deadLetterSourceArn } = record;
        this.held.set(messageId, {
          messageId,
          body,
          attributes,
          sentAt,
          receiveCount: receiveCount ?? 0,
          ...(firstReceivedAt === undefined ? {} : { firstReceivedAt }),
          ...(deadLetterSourceArn === undefined ? {} : { deadLetterSourceArn }),
          visibleAt: record.visibleAt ?? 0,
        });
        continue;
      }
      const message = this.held.get(record.messageId);
      if (message === undefined) continue;
      if (record.op === 'delete') this.held.delete(record.messageId);
      else if (record.op === 'visibility') message.visibleAt = record.visibleAt;
      else if (record.op === 'receive') {
        message.visibleAt = record.visibleAt;
        message.receiveCount = record.receiveCount;
        message.firstReceivedAt = record.firstReceivedAt;
      }
    }
    return [...this.held.values()].map((message) => ({ op: 'send', ...message }));
  }
}

function publicView(message: HeldMessage): LocalQueueMessage {
  return {
    messageId: message.messageId,
    body: message.body,
    attributes: { ...message.attributes },
    sentAt: message.sentAt,
    receiveCount: message.receiveCount,
    ...(message.firstReceivedAt === undefined ? {} : { firstReceivedAt: message.firstReceivedAt }),
    ...(message.deadLetterSourceArn === undefined ? {} : { deadLetterSourceArn: message.deadLetterSourceArn }),
  };
}
