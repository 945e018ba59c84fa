/**
 * The dead-letter tool (`pnpm dead-letters`): lists what every dead-letter queue holds, with the
 * reason each message got there, and redrives it to the queue it came from (an aggregate's
 * `Undelivered` queue), whose dead-letter handler settles it: stored if its deadline allows, else
 * REJECTED/TIMEOUT, notified either way. A redrive never stores an expired commit.
 *
 *   pnpm dead-letters                 list (the same as `list`)
 *   pnpm dead-letters redrive         move every dead letter back to its source queue
 *   pnpm dead-letters redrive <name>  only the dead-letter queue whose name contains <name>
 *
 * It speaks SQS with the AWS SDK: against the running local core (its `.local/endpoint.json`, or
 * `--endpoint-file <path>`), or with `--aws` against the SQS of your account and region (your usual
 * credentials), where the redrive is SQS's own dead-letter redrive, `StartMessageMoveTask`.
 */
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A dead-letter queue: a queue some other queue's `RedrivePolicy` sends its failures to. */
export interface DeadLetterQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  /** The queues whose failures it holds. */
  readonly sources: readonly string[];
}

/** One dead letter, as the list shows it. */
export interface DeadLetter {
  readonly queue: string;
  readonly messageId: string;
  /** What the message carries: a commit (`Commit`), a renotify request, or something else. */
  readonly kind: string;
  readonly commandId: string | undefined;
  readonly streamId: string | undefined;
  readonly deadline: string | undefined;
  /** Its deadline has passed: a redrive notifies REJECTED/TIMEOUT unless it was stored before. */
  readonly expired: boolean;
  /** Why it failed: EventBridge's ERROR_CODE/ERROR_MESSAGE, or Lambda's ErrorMessage. */
  readonly reason: string;
  readonly receiveCount: number;
  readonly sentAt: string;
}

/** The dead-letter queues: the targets of the queues' redrive policies. */
export async function findDeadLetterQueues(sqs: SQSClient): Promise<DeadLetterQueue[]> {
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  const queues = await Promise.all(
    QueueUrls.map(async (url) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'RedrivePolicy'] }),
      );
      const policy =
        Attributes.RedrivePolicy === undefined
          ? undefined
          : (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string });
      return { url, arn: Attributes.QueueArn ?? '', deadLetterArn: policy?.deadLetterTargetArn };
    }),
  );
  return queues
    .filter((queue) => queues.some((source) => source.deadLetterArn === queue.arn))
    .map((queue) => ({
      name: queue.arn.split(':').at(-1) ?? queue.url,
      url: queue.url,
      arn: queue.arn,
      sources: queues.filter((source) => source.deadLetterArn === queue.arn).map((source) => source.arn),
    }));
}

/**
 * Every message of the dead-letter queues. Each is received once (hidden meanwhile), then made
 * visible again: listing takes nothing away.
 */
export async function listDeadLetters(
  sqs: SQSClient,
  queues: readonly DeadLetterQueue[],
  now = new Date(),
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (const queue of queues) {
    const received: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      received.push(...Messages);
    }
    for (const message of received) {
      letters.push(describeLetter(queue.name, message, now));
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
  }
  return letters;
}

/** Moves each dead-letter queue's messages back to their source queue; resolves with how many moved. */
export async function redriveDeadLetters(sqs: SQSClient, queues: readonly DeadLetterQueue[]): Promise<number> {
  let moved = 0;
  for (const queue of queues) {
    // One source (an aggregate's Undelivered queue): named, so that a message put there by hand moves too.
    const [only, ...more] = queue.sources;
    const destination = only !== undefined && more.length === 0 ? { DestinationArn: only } : {};
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queue.arn, ...destination }));
    for (;;) {
      const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queue.arn }));
      const task = Results.find((result) => result.TaskHandle === TaskHandle) ?? Results[0];
      if (
        task === undefined ||
        task.Status === 'COMPLETED' ||
        task.Status === 'FAILED' ||
        task.Status === 'CANCELLED'
      ) {
        moved += task?.ApproximateNumberOfMessagesMoved ?? 0;
        if (task?.Status === 'FAILED')
          throw new Error(`the redrive of ${queue.name} failed: ${task.FailureReason ?? ''}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  return moved;
}

function describeLetter(queue: string, message: Message, now: Date): DeadLetter {
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  let event: { 'detail-type'?: string; detail?: Record<string, unknown> } = {};
  try {
    event = JSON.parse(message.Body ?? '') as typeof event;
  } catch {
    // not a bus event: shown as it is
  }
  const detail = event.detail ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const deadline = text(detail['deadline']);
  const reason =
    attribute('ERROR_CODE') !== undefined
      ? `${attribute('ERROR_CODE') ?? ''}: ${attribute('ERROR_MESSAGE') ?? ''}`
      : (attribute('ErrorMessage') ?? 'unknown (no reason attribute)');
  return {
    queue,
    messageId: message.MessageId ?? '',
    kind: event['detail-type'] ?? 'not a bus event',
    commandId: text(detail['commitId']) ?? text(detail['commandId']),
    streamId: text(detail['streamId']),
    deadline,
    expired: deadline !== undefined && Date.parse(deadline) < now.getTime(),
    reason: reason.slice(0, 200),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: new Date(Number(message.Attributes?.SentTimestamp ?? 0)).toISOString(),
  };
}

/** An SQS client for the local core (its endpoint file) or, with `--aws`, for the account's SQS. */
export function sqsClientFor(args: readonly string[]): SQSClient {
  if (args.includes('--aws')) return new SQSClient({});
  const at = args.indexOf('--endpoint-file');
  const file = at >= 0 ? args[at + 1] : join(__dirname, '..', '..', '..', '.local', 'endpoint.json');
  let endpoint: {
    endpoint?: string;
    region: string;
    frontEndCredentials: { accessKeyId: string; secretAccessKey: string };
  };
  try {
    endpoint = JSON.parse(readFileSync(file ?? '', 'utf8')) as typeof endpoint;
  } catch {
    throw new Error(`no local core endpoint in ${file ?? ''}: start the core (pnpm start), or pass --aws`);
  }
  if (endpoint.endpoint === undefined) throw new Error(`${file ?? ''} names no endpoint: restart the core`);
  return new SQSClient({
    endpoint: endpoint.endpoint,
    region: endpoint.region,
    credentials: endpoint.frontEndCredentials,
  });
}

function print(letters: readonly DeadLetter[], queues: readonly DeadLetterQueue[]): void {
  for (const queue of queues) {
    const mine = letters.filter((letter) => letter.queue === queue.name);
    console.log(
      `${queue.name} (dead letters of ${queue.sources.map((arn) => arn.split(':').at(-1)).join(', ')}): ${mine.length}`,
    );
    for (const letter of mine)
      console.log(
        `  ${letter.messageId}  ${letter.kind} ${letter.commandId ?? ''} of ${letter.streamId ?? '?'}  ` +
          `${letter.expired ? 'expired' : `deadline ${letter.deadline ?? 'none'}`}  received ${letter.receiveCount}×  ${letter.reason}`,
      );
  }
}

async function main(args: readonly string[]): Promise<void> {
  const sqs = sqsClientFor(args);
  const [command = 'list', filter] = args.filter(
    (arg, index) => !arg.startsWith('--') && args[index - 1] !== '--endpoint-file',
  );
  const queues = (await findDeadLetterQueues(sqs)).filter(
    (queue) => filter === undefined || queue.name.includes(filter),
  );
  if (command === 'list') {
    print(await listDeadLetters(sqs, queues), queues);
  } else if (command === 'redrive') {
    const letters = await listDeadLetters(sqs, queues);
    const moved = await redriveDeadLetters(sqs, queues);
    const expired = letters.filter((letter) => letter.expired).length;
    console.log(
      `moved ${moved} dead letter(s) back to their source queues; their dead-letter handlers settle them ` +
        `(${expired} expired: notified REJECTED/TIMEOUT unless they were stored before their deadline).`,
    );
  } else {
    throw new Error(`unknown command ${command.slice(0, 40)}: use list or redrive`);
  }
  sqs.destroy();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
