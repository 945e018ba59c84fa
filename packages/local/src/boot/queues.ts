/**
 * SQS queues: every `AWS::SQS::Queue` of the templates with its `VisibilityTimeout` (scaled by
 * `durationScale`) and `RedrivePolicy` (`maxReceiveCount` → the dead-letter queue), journalled in
 * `<dataDir>/queues/<name>.jsonl` when there is a data folder, so a restart keeps every message with
 * its receive count and visibility. The SQS API is served at `AmazonSQS.*` (for the dead-letter tool).
 */
import { join } from 'node:path';
import { createSqsApi, LocalQueue } from '../sqs';
import type { Closers } from './closers';
import { targetRoute, type Route } from './router';
import type { LocalStack } from './stacks';
import type { BootSettings } from './types';

/** Queues by ARN. */
export type LocalQueues = ReadonlyMap<string, LocalQueue>;

/** SQS's default `VisibilityTimeout`, in seconds. */
const DEFAULT_VISIBILITY_TIMEOUT_S = 30;

export function createQueues(stacks: readonly LocalStack[], settings: BootSettings, closers: Closers): LocalQueues {
  const queues = new Map<string, LocalQueue>();
  const redrives: { queue: LocalQueue; policy: RedrivePolicy }[] = [];
  for (const { ctx } of stacks) {
    for (const id of ctx.resourcesOfType('AWS::SQS::Queue')) {
      const props = ctx.resolveProperties(id);
      const arn = String(ctx.getAtt(id, 'Arn'));
      const name = String(ctx.getAtt(id, 'QueueName'));
      const visibilitySeconds = Number(props['VisibilityTimeout'] ?? DEFAULT_VISIBILITY_TIMEOUT_S);
      const queue = new LocalQueue({
        arn,
        url: String(ctx.getAtt(id, 'QueueUrl')),
        visibilityTimeoutMs: visibilitySeconds * 1000 * settings.durationScale,
        filePath: settings.dataDir === undefined ? undefined : join(settings.dataDir, 'queues', `${name}.jsonl`),
      });
      closers.add(async () => queue.close());
      queues.set(arn, queue);
      const policy = redrivePolicyOf(props['RedrivePolicy']);
      if (policy !== undefined) redrives.push({ queue, policy });
    }
  }
  for (const { queue, policy } of redrives) {
    const deadLetters = queues.get(policy.deadLetterTargetArn);
    if (deadLetters === undefined)
      settings.write(
        `queue ${queue.name}: its RedrivePolicy names ${policy.deadLetterTargetArn}, which is not a queue of the templates; no redrive`,
      );
    else queue.setRedrivePolicy(deadLetters, policy.maxReceiveCount);
  }
  return queues;
}

/** The same queues by name (the last part of the ARN), as `LocalCore.queues` shows them. */
export function queuesByName(queues: LocalQueues): ReadonlyMap<string, LocalQueue> {
  return new Map([...queues.values()].map((queue) => [queue.name, queue]));
}

/** A batch of ten messages of SQS's 1 MiB each, with room for the JSON around them. */
const SQS_REQUEST_BYTES = 11 * 1024 * 1024;

/** `AmazonSQS.*`: the SQS API over AWS JSON 1.0 (signatures are not verified: the dead-letter tool's route). */
export function sqsRoute(queues: LocalQueues): Route {
  const api = createSqsApi(queues);
  return targetRoute('AmazonSQS.', SQS_REQUEST_BYTES, async ({ req, res, body }) => {
    await api.handleHttp(req, res, body);
    return true;
  });
}

interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** CloudFormation takes the policy as an object or as its JSON text. */
function redrivePolicyOf(value: unknown): RedrivePolicy | undefined {
  const policy = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (typeof policy !== 'object' || policy === null) return undefined;
  const { deadLetterTargetArn, maxReceiveCount } = policy as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string') return undefined;
  return { deadLetterTargetArn, maxReceiveCount: Number(maxReceiveCount ?? 10) };
}
