/**
 * SQS queues (the dead-letter queues of functions and bus targets): every `AWS::SQS::Queue` of the
 * templates, kept in `<dataDir>/queues/<name>.jsonl` when there is a data folder.
 */
import { join } from 'node:path';
import { LocalQueue } from '../eventbridge';
import type { LocalStack } from './stacks';

/** Queues by ARN. */
export type LocalQueues = ReadonlyMap<string, LocalQueue>;

export function createQueues(stacks: readonly LocalStack[], dataDir: string | undefined): LocalQueues {
  const queues = new Map<string, LocalQueue>();
  for (const { ctx } of stacks) {
    for (const id of ctx.resourcesOfType('AWS::SQS::Queue')) {
      const arn = String(ctx.getAtt(id, 'Arn'));
      const name = String(ctx.getAtt(id, 'QueueName'));
      const filePath = dataDir === undefined ? undefined : join(dataDir, 'queues', `${name}.jsonl`);
      queues.set(arn, new LocalQueue({ arn, filePath }));
    }
  }
  return queues;
}

/** The same queues by name (the last part of the ARN), as `LocalCore.queues` shows them. */
export function queuesByName(queues: LocalQueues): ReadonlyMap<string, LocalQueue> {
  return new Map([...queues.values()].map((queue) => [queue.arn.split(':').at(-1) ?? queue.arn, queue]));
}
