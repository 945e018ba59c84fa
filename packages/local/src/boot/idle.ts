/**
 * When the core is idle: no bus delivery or retry, no function invocation (async retries included)
 * and no state machine execution in flight, and nothing new started during a turn of the event loop.
 */
import type { LocalEventBus } from '../eventbridge';
import type { LocalStepFunctions } from '../stepfunctions';
import type { LocalFunctions } from './functions';

export interface BusyServices {
  readonly bus: LocalEventBus;
  readonly functions: LocalFunctions;
  readonly stepFunctions: LocalStepFunctions;
}

/** Resolves once idle (or after 100 rounds of work that keeps starting more work). */
export async function waitForIdle({ bus, functions, stepFunctions }: BusyServices): Promise<void> {
  for (let round = 0; round < 100; round++) {
    await bus.idle();
    await Promise.all(functions.all.map(({ fn }) => fn.drain()));
    await stepFunctions.idle();
    if (await settled(bus, functions)) return;
  }
}

/** True when, after a turn of the event loop, nothing new started. */
async function settled(bus: LocalEventBus, functions: LocalFunctions): Promise<boolean> {
  const work = () => bus.metrics.deliveries + functions.all.reduce((sum, { fn }) => sum + fn.metrics.invocations, 0);
  const before = work();
  await new Promise((resolve) => setTimeout(resolve, 20));
  return work() === before;
}
