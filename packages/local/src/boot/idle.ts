/**
 * When the core is idle: no bus delivery or retry, no function invocation (async retries included),
 * no state machine execution, no message an event source mapping can receive now and no batch being
 * handled, and nothing new started during a turn of the event loop. `drain` is the bounded wait of a
 * clean stop.
 */
import type { LocalEventBus } from '../eventbridge';
import type { LocalStepFunctions } from '../stepfunctions';
import type { LocalEventSource } from './event-sources';
import type { LocalFunctions } from './functions';

export interface BusyServices {
  readonly bus: LocalEventBus;
  readonly functions: LocalFunctions;
  readonly stepFunctions: LocalStepFunctions;
  readonly eventSources: readonly LocalEventSource[];
}

/** Resolves once idle (or after 100 rounds of work that keeps starting more work). */
export async function waitForIdle(services: BusyServices): Promise<void> {
  const { bus, functions, stepFunctions, eventSources } = services;
  for (let round = 0; round < 100; round++) {
    await bus.idle();
    await Promise.all(functions.all.map(({ fn }) => fn.drain()));
    await stepFunctions.idle();
    await Promise.all(eventSources.map(({ source }) => source.idle()));
    if (await settled(services)) return;
  }
}

/** Waits for idle at most `timeoutMs`; false when work was still in flight then. */
export async function drain(services: BusyServices, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([waitForIdle(services).then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when, after a turn of the event loop, nothing new started. */
async function settled({ bus, functions, eventSources }: BusyServices): Promise<boolean> {
  const work = () =>
    bus.metrics.deliveries +
    functions.all.reduce((sum, { fn }) => sum + fn.metrics.invocations, 0) +
    eventSources.reduce((sum, { source }) => sum + source.metrics.batches, 0);
  const before = work();
  await new Promise((resolve) => setTimeout(resolve, 20));
  return work() === before && !eventSources.some(({ source }) => source.busy());
}
