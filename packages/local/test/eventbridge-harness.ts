/**
 * Test harness for the local EventBridge: a real HTTP server on 127.0.0.1 whose handler
 * calls `handleHttp`, a real `@aws-sdk/client-eventbridge` client pointed at it, a
 * recording `deliver`, and one `LocalQueue` per dead-letter queue ARN.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalEventBus, type LocalEventBus, type LocalEventBusOptions } from '../src/eventbridge';
import { LocalQueue } from '../src/sqs';

export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';
export const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:core-dlq`;

export const ruleArn = (bus: string, name: string): string =>
  bus === 'default'
    ? `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`
    : `arn:aws:events:${REGION}:${ACCOUNT}:rule/${bus}/${name}`;
export const functionArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

/** One call of `deliver`. */
export interface Delivery {
  readonly targetArn: string;
  readonly input: unknown;
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly eventId: string;
}

export interface Harness {
  readonly bus: LocalEventBus;
  readonly client: EventBridgeClient;
  readonly endpoint: string;
  /** Every `deliver` call, successful or not, in order. */
  readonly deliveries: Delivery[];
  readonly dlq: LocalQueue;
  readonly logs: Array<{ line: string; fields: Record<string, unknown> | undefined }>;
  /** Deliveries to one target, in order. */
  deliveredTo(targetArn: string): Delivery[];
  stop(): Promise<void>;
}

type HarnessOptions = Omit<LocalEventBusOptions, 'region' | 'accountId' | 'deliver' | 'deadLetter'> & {
  /** Decides each delivery; resolve to accept, throw to fail. @default accepts everything */
  readonly onDeliver?: (delivery: Delivery) => Promise<void> | void;
};

/** Starts a bus, its HTTP server and an SDK client. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const deliveries: Delivery[] = [];
  const logs: Harness['logs'] = [];
  const dlq = new LocalQueue({ arn: DLQ_ARN });
  const { onDeliver, ...busOptions } = options;
  const bus = createLocalEventBus({
    log: (line, fields) => logs.push({ line, fields }),
    retryBaseMs: 1,
    ...busOptions,
    region: REGION,
    accountId: ACCOUNT,
    deliver: async (targetArn, input, context) => {
      const delivery = { targetArn, input, ...context };
      deliveries.push(delivery);
      await onDeliver?.(delivery);
    },
    deadLetter: async (queueArn, message) => {
      if (queueArn !== dlq.arn) throw new Error(`No queue ${queueArn}`);
      await dlq.send(message);
    },
  });
  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      if (!(await bus.handleHttp(req, res, body))) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not an EventBridge request');
      }
    });
  });
  const endpoint = await listen(server);
  const client = new EventBridgeClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    bus,
    client,
    endpoint,
    deliveries,
    dlq,
    logs,
    deliveredTo: (targetArn) => deliveries.filter((d) => d.targetArn === targetArn),
    stop: async () => {
      client.destroy();
      await bus.close();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}
