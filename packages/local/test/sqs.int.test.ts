/** The local SQS API, spoken by the AWS SDK's own SQS client (AWS JSON 1.0, MD5 checks of bodies included). */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSqsApi, LocalQueue } from '../src/sqs';

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
let server: Server;
let client: SQSClient;
let undelivered: LocalQueue;
let deadLetters: LocalQueue;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deadLetters = new LocalQueue({ arn: arn('dead-letters'), url: `${base}/000000000000/dead-letters` });
  undelivered = new LocalQueue({
    arn: arn('undelivered'),
    url: `${base}/000000000000/undelivered`,
    visibilityTimeoutMs: 60_000,
  });
  undelivered.setRedrivePolicy(deadLetters, 5);
  const api = createSqsApi(new Map([undelivered, deadLetters].map((queue) => [queue.arn, queue])));
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void api.handleHttp(req, res, Buffer.concat(chunks)));
  });
  client = new SQSClient({
    endpoint: base,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 's' },
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the local SQS API', () => {
  it('lists the queues and their attributes, the redrive policy included', async () => {
    const { QueueUrls } = await client.send(new ListQueuesCommand({}));
    expect(QueueUrls).toEqual([undelivered.url, deadLetters.url]);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: undelivered.url, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      QueueArn: undelivered.arn,
      VisibilityTimeout: '60',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: 5 }),
    });
    const sources = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: deadLetters.url }));
    expect(sources.queueUrls).toEqual([undelivered.url]);
  });

  it('sends, receives (the SDK checks each MD5) and deletes messages with their attributes', async () => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: undelivered.url,
        MessageBody: '{"detail":{"commitId":"c-1"}}',
        MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'THROTTLING' } },
      }),
    );
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: undelivered.url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]).toMatchObject({
      Body: '{"detail":{"commitId":"c-1"}}',
      MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'THROTTLING' } },
      Attributes: { ApproximateReceiveCount: '1' },
    });
    await client.send(
      new DeleteMessageCommand({ QueueUrl: undelivered.url, ReceiptHandle: Messages[0]?.ReceiptHandle }),
    );
    expect(undelivered.messages).toEqual([]);
  });

  it('redrives dead letters to the queue they came from (StartMessageMoveTask)', async () => {
    await undelivered.send({ body: 'stuck' });
    // Received five times, each time visible again at once: the sixth receive moves it to the dead letters.
    for (let receive = 0; receive <= 5; receive++) undelivered.receive({ visibilityTimeoutMs: 0 });
    expect(deadLetters.messages.map((message) => message.body)).toEqual(['stuck']);
    const { TaskHandle } = await client.send(new StartMessageMoveTaskCommand({ SourceArn: deadLetters.arn }));
    expect(TaskHandle).toEqual(expect.any(String));
    const { Results } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: deadLetters.arn }));
    expect(Results).toEqual([
      expect.objectContaining({ TaskHandle, Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 }),
    ]);
    expect(deadLetters.messages).toEqual([]);
    expect(undelivered.messages).toEqual([expect.objectContaining({ body: 'stuck', receiveCount: 0 })]);
  });

  it('answers an unknown queue with QueueDoesNotExist', async () => {
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: 'http://127.0.0.1/000000000000/nope' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
