/**
 * The SQS API the dead-letter tool and tests need, over AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Op>`),
 * as `@aws-sdk/client-sqs` speaks it: ListQueues, GetQueueUrl, GetQueueAttributes, SendMessage,
 * ReceiveMessage, DeleteMessage, ChangeMessageVisibility, ListDeadLetterSourceQueues, and the
 * dead-letter redrive (StartMessageMoveTask, ListMessageMoveTasks: a task moves what is visible at
 * once and is COMPLETED when it answers). Errors come as `{ __type: 'com.amazonaws.sqs#…', message }`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAwsJsonBody, sendAwsJson, sendAwsJsonError } from '../eventbridge/aws-json';
import { md5OfBody, type LocalQueue } from './local-queue';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_RECEIVE = 10;

/** The queues the API serves, by ARN. */
export type SqsQueues = ReadonlyMap<string, LocalQueue>;

class SqsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface MoveTask {
  readonly TaskHandle: string;
  readonly Status: 'COMPLETED';
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly StartedTimestamp: number;
}

type Operation = (input: Record<string, unknown>) => Promise<unknown> | unknown;

/**
 * @example
 * const sqs = createSqsApi(queuesByArn);
 * if (target.startsWith('AmazonSQS.')) await sqs.handleHttp(req, res, body);
 */
export function createSqsApi(queues: SqsQueues): {
  handleHttp(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
} {
  const tasks: MoveTask[] = [];
  const operations = sqsOperations(queues, tasks);
  return {
    async handleHttp(req, res, body) {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      const parsed = parseAwsJsonBody(body);
      const run = operations[operation];
      if (run === undefined || !parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) {
        const [type, message] =
          run === undefined
            ? ['UnsupportedOperation', `the local SQS does not serve ${operation.slice(0, 40)}`]
            : ['InvalidParameterValue', 'the request body is not a JSON object'];
        return sendAwsJsonError(res, CONTENT_TYPE, 400, `com.amazonaws.sqs#${type}`, message);
      }
      try {
        sendAwsJson(res, CONTENT_TYPE, 200, await run(parsed.value as Record<string, unknown>));
      } catch (error) {
        if (!(error instanceof SqsApiError)) throw error;
        sendAwsJsonError(res, CONTENT_TYPE, 400, `com.amazonaws.sqs#${error.type}`, error.message);
      }
    },
  };
}

function sqsOperations(queues: SqsQueues, tasks: MoveTask[]): Record<string, Operation> {
  const all = () => [...queues.values()];
  const byUrl = (input: Record<string, unknown>): LocalQueue => {
    const url = String(input['QueueUrl'] ?? '');
    const name = url.split('/').at(-1) ?? '';
    const queue = all().find((candidate) => candidate.url === url || candidate.name === name);
    if (queue === undefined)
      throw new SqsApiError('QueueDoesNotExist', `The specified queue does not exist: ${url.slice(0, 200)}`);
    return queue;
  };
  const byArn = (arn: unknown): LocalQueue => {
    const queue = queues.get(String(arn ?? ''));
    if (queue === undefined)
      throw new SqsApiError('ResourceNotFoundException', `no queue ${String(arn).slice(0, 200)}`);
    return queue;
  };
  return {
    ListQueues: (input) => ({
      QueueUrls: all()
        .filter((queue) => queue.name.startsWith(String(input['QueueNamePrefix'] ?? '')))
        .map((queue) => queue.url),
    }),
    GetQueueUrl: (input) => {
      const queue = all().find((candidate) => candidate.name === input['QueueName']);
      if (queue === undefined) throw new SqsApiError('QueueDoesNotExist', 'The specified queue does not exist.');
      return { QueueUrl: queue.url };
    },
    GetQueueAttributes: (input) => ({ Attributes: attributesOf(byUrl(input)) }),
    ListDeadLetterSourceQueues: (input) => {
      const deadLetters = byUrl(input);
      return {
        queueUrls: all()
          .filter((queue) => queue.redrivePolicy?.deadLetterTargetArn === deadLetters.arn)
          .map((queue) => queue.url),
      };
    },
    SendMessage: async (input) => {
      const body = input['MessageBody'];
      if (typeof body !== 'string' || body === '')
        throw new SqsApiError('MissingParameter', 'The request must contain the parameter MessageBody.');
      const sent = await byUrl(input).send({ body, attributes: stringAttributes(input['MessageAttributes']) });
      return { MessageId: sent.messageId, MD5OfMessageBody: md5OfBody(body) };
    },
    ReceiveMessage: (input) => receive(byUrl(input), input),
    DeleteMessage: (input) => {
      byUrl(input).delete(String(input['ReceiptHandle'] ?? ''));
      return {};
    },
    ChangeMessageVisibility: (input) => {
      const seconds = Number(input['VisibilityTimeout'] ?? 0);
      if (!byUrl(input).changeVisibility(String(input['ReceiptHandle'] ?? ''), seconds * 1000))
        throw new SqsApiError('ReceiptHandleIsInvalid', 'The receipt handle is not the current one of a message.');
      return {};
    },
    StartMessageMoveTask: async (input) => {
      const source = byArn(input['SourceArn']);
      const destination = input['DestinationArn'] === undefined ? undefined : byArn(input['DestinationArn']);
      const toMove = source.counts().visible;
      const moved = await source.moveMessages(
        (message) => destination ?? queues.get(message.deadLetterSourceArn ?? ''),
      );
      const task: MoveTask = {
        TaskHandle: randomUUID(),
        Status: 'COMPLETED',
        SourceArn: source.arn,
        ...(destination === undefined ? {} : { DestinationArn: destination.arn }),
        ApproximateNumberOfMessagesMoved: moved,
        ApproximateNumberOfMessagesToMove: toMove,
        StartedTimestamp: Date.now(),
      };
      tasks.push(task);
      return { TaskHandle: task.TaskHandle };
    },
    ListMessageMoveTasks: (input) => ({
      Results: tasks.filter((task) => task.SourceArn === input['SourceArn']).slice(-10),
    }),
  };
}

function receive(queue: LocalQueue, input: Record<string, unknown>): unknown {
  const max = Number(input['MaxNumberOfMessages'] ?? 1);
  if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE)
    throw new SqsApiError('InvalidParameterValue', `MaxNumberOfMessages must be from 1 to ${MAX_RECEIVE}.`);
  const visibility = input['VisibilityTimeout'];
  const received = queue.receive({
    max,
    ...(visibility === undefined ? {} : { visibilityTimeoutMs: Number(visibility) * 1000 }),
  });
  return {
    Messages: received.map((message) => ({
      MessageId: message.messageId,
      ReceiptHandle: message.receiptHandle,
      MD5OfBody: md5OfBody(message.body),
      Body: message.body,
      Attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(Date.parse(message.sentAt)),
        ...(message.deadLetterSourceArn === undefined ? {} : { DeadLetterQueueSourceArn: message.deadLetterSourceArn }),
      },
      MessageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
    })),
  };
}

function attributesOf(queue: LocalQueue): Record<string, string> {
  const { visible, inFlight } = queue.counts();
  const redrive = queue.redrivePolicy;
  return {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(inFlight),
    VisibilityTimeout: String(Math.round(queue.visibilityTimeoutMs / 1000)),
    ...(redrive === undefined ? {} : { RedrivePolicy: JSON.stringify(redrive) }),
  };
}

function stringAttributes(value: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return attributes;
  for (const [name, attribute] of Object.entries(value as Record<string, { StringValue?: unknown }>)) {
    if (typeof attribute?.StringValue === 'string') attributes[name] = attribute.StringValue;
  }
  return attributes;
}
