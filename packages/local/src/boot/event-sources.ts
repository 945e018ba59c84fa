/**
 * Event source mappings: every `AWS::Lambda::EventSourceMapping` of the templates whose source is one
 * of their SQS queues runs as Lambda runs it (sqs/event-source.ts): polling, `BatchSize`,
 * `FunctionResponseTypes: [ReportBatchItemFailures]`, `ScalingConfig.MaximumConcurrency`, and the
 * queue's own visibility timeout and redrive policy. Other sources (streams, Kafka) are left out with
 * a line; so is a mapping with `Enabled: false`.
 */
import { startSqsEventSource, type SqsEventSource } from '../sqs';
import type { Closers } from './closers';
import type { LocalFunctions } from './functions';
import type { LocalQueues } from './queues';
import type { LocalStack } from './stacks';
import type { BootSettings } from './types';

/** A running mapping, named for the lines it writes. */
export interface LocalEventSource {
  readonly name: string;
  readonly source: SqsEventSource;
}

export function startEventSources(
  stacks: readonly LocalStack[],
  { functions, queues }: { readonly functions: LocalFunctions; readonly queues: LocalQueues },
  settings: BootSettings,
  closers: Closers,
): LocalEventSource[] {
  const started: LocalEventSource[] = [];
  for (const { ctx } of stacks) {
    for (const id of ctx.resourcesOfType('AWS::Lambda::EventSourceMapping')) {
      const props = ctx.resolveProperties(id);
      const sourceArn = String(props['EventSourceArn'] ?? '');
      const queue = queues.get(sourceArn);
      const target = functions.find(String(props['FunctionName'] ?? ''));
      if (props['Enabled'] === false || queue === undefined || target === undefined) {
        settings.write(`event source mapping ${id} (${sourceArn}) is not run locally: only enabled SQS sources are`);
        continue;
      }
      const responseTypes = (props['FunctionResponseTypes'] as string[] | undefined) ?? [];
      const scaling = props['ScalingConfig'] as { MaximumConcurrency?: number } | undefined;
      const name = `${queue.name} → ${target.path}`;
      const source = startSqsEventSource({
        queue,
        invoke: (event) => target.fn.invoke(event),
        batchSize: Number(props['BatchSize'] ?? 10),
        reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
        maxConcurrency: Math.min(scaling?.MaximumConcurrency ?? 2, 2),
        region: settings.region,
        log: (line) => settings.write(`!! ${target.path}: ${line}`),
      });
      closers.add(() => source.close());
      started.push({ name, source });
    }
  }
  return started;
}
