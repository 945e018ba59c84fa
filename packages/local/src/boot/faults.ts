/**
 * Faults on demand: what AWS can do to the core, injected where the local services meet it. Off
 * unless set (`BootOptions.faults`, `LocalCore.faults.set`, or `PUT /_local/faults` with
 * `faultEndpoint`). Each fault has a `rate` (the chance at each opportunity, default 1) and `times`
 * (the most injections, default no limit); `seed` makes rates below 1 repeatable.
 *
 * | fault | where | what happens |
 * |---|---|---|
 * | `duplicateDelivery` | bus → target | the event is delivered twice |
 * | `reorderStream` | bus → target | a delivery of a stream (`detail.streamId`) waits up to `holdMs` for the next delivery of that stream to the same target, which goes first |
 * | `deliveryAfterDeadline` | bus → target | the delivery waits until after the event's `detail.deadline` |
 * | `deliveryDropped` | bus → target | every attempt of that event fails (`THROTTLING`) until its retry policy ends and it goes to the target's dead-letter queue: what AWS can do to a delivery |
 * | `storeThrottling` | DynamoDB | a request (of `operations`, default all) is answered `ProvisionedThroughputExceededException` |
 * | `crashAfterWrite` | DynamoDB | after a `TransactWriteItems` is written, the invocation that sent it dies (`Runtime.ExitError`) before it gets the answer |
 * | `notifierDown` | AppSync | a GraphQL request signed by one of the template's roles (the notifier) is answered 503 |
 * | `notificationDropped` | AppSync | the notification mutation is executed and answered, but not published to subscriptions |
 *
 * A bus fault's `target` aims it at the deliveries to one target (a part of its ARN), so that other
 * rules on the same events (a saga's) are delivered as usual.
 */
import { DeliveryError, LocalCoreError } from '../errors';
import type { DeliveryContext } from '../eventbridge';

/** When a fault is injected: at each opportunity with chance `rate`, at most `times` times. */
export interface FaultSwitch {
  /** 0 to 1. @default 1 */
  readonly rate?: number;
  /** @default no limit */
  readonly times?: number;
}

/** A bus fault may be aimed at one target: only deliveries to a target whose ARN contains `target`. */
export interface BusFaultSwitch extends FaultSwitch {
  /** A part of the target's ARN, e.g. a function's logical id. @default every target */
  readonly target?: string;
}

export interface FaultConfig {
  readonly duplicateDelivery?: BusFaultSwitch;
  readonly reorderStream?: BusFaultSwitch & { readonly holdMs?: number };
  readonly deliveryAfterDeadline?: BusFaultSwitch;
  readonly deliveryDropped?: BusFaultSwitch;
  readonly storeThrottling?: FaultSwitch & { readonly operations?: readonly string[] };
  readonly crashAfterWrite?: FaultSwitch;
  readonly notifierDown?: FaultSwitch;
  readonly notificationDropped?: FaultSwitch;
  /** Seeds the choices of rates below 1. @default 1 */
  readonly seed?: number;
}

export type FaultName = Exclude<keyof FaultConfig, 'seed'>;
type BusFaultName = 'duplicateDelivery' | 'reorderStream' | 'deliveryAfterDeadline' | 'deliveryDropped';

export const FAULT_NAMES: readonly FaultName[] = [
  'duplicateDelivery',
  'reorderStream',
  'deliveryAfterDeadline',
  'deliveryDropped',
  'storeThrottling',
  'crashAfterWrite',
  'notifierDown',
  'notificationDropped',
];

/** What `LocalCore.faults` offers. */
export interface FaultControl {
  /** Replaces the faults (and resets the counts). @throws LocalCoreError `INVALID_FAULT` */
  set(config: FaultConfig): void;
  current(): FaultConfig;
  /** How many times each fault was injected since the last `set`. */
  injected(): Readonly<Record<FaultName, number>>;
}

/** The decisions the local services ask for. */
export interface Faults extends FaultControl {
  /** True when `name` is injected now; with a `key`, the first decision for that key holds for every later ask. */
  inject(name: FaultName, key?: string): boolean;
  /** Wraps the bus's delivery to targets with the bus faults. */
  wrapDelivery(deliver: Deliver): Deliver;
}

type Deliver = (targetArn: string, input: unknown, context: DeliveryContext) => Promise<void>;

export function createFaults(initial: FaultConfig = {}): Faults {
  let config: FaultConfig = {};
  let counts = zeroCounts();
  let random = seeded(1);
  let sticky = new Map<string, boolean>();
  const set = (next: FaultConfig): void => {
    config = validFaults(next);
    counts = zeroCounts();
    random = seeded(config.seed ?? 1);
    sticky = new Map();
  };
  set(initial);

  const inject = (name: FaultName, key?: string): boolean => {
    const fault = config[name];
    if (fault === undefined) return false;
    const remembered = key === undefined ? undefined : sticky.get(`${name}\u0000${key}`);
    if (remembered !== undefined) return remembered;
    const chosen = (fault.times === undefined || counts[name] < fault.times) && random() < (fault.rate ?? 1);
    if (chosen) counts[name] += 1;
    if (key !== undefined) sticky.set(`${name}\u0000${key}`, chosen);
    return chosen;
  };

  const faults: Faults = {
    set,
    current: () => config,
    injected: () => ({ ...counts }),
    inject,
    wrapDelivery: (deliver) => busFaults(deliver, faults, () => config.reorderStream?.holdMs ?? 1_000),
  };
  return faults;
}

/** The bus faults around one delivery attempt. */
function busFaults(deliver: Deliver, faults: Faults, holdMs: () => number): Deliver {
  const holding = new Map<string, () => void>();
  return async (targetArn, input, context) => {
    const { id, detail } = context.event;
    const key = `${id}|${context.ruleName}|${targetArn}`;
    const aimed = (name: BusFaultName) => {
      const target = faults.current()[name]?.target;
      return (target === undefined || targetArn.includes(target)) && faults.inject(name, key);
    };
    if (aimed('deliveryDropped'))
      throw new DeliveryError('THROTTLING', 'the delivery was dropped (fault injected)', { retryable: true });
    const deadline = Date.parse(String(detail['deadline'] ?? ''));
    if (Number.isFinite(deadline) && aimed('deliveryAfterDeadline'))
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()) + 100));
    // Reordered per target: another rule's delivery of the same event does not release the hold.
    const streamId = typeof detail['streamId'] === 'string' ? `${detail['streamId']}|${targetArn}` : undefined;
    const held = streamId === undefined ? undefined : holding.get(streamId);
    if (streamId !== undefined && held === undefined && aimed('reorderStream')) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, holdMs());
        holding.set(streamId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      holding.delete(streamId);
    }
    await deliver(targetArn, input, context);
    if (held !== undefined && streamId !== undefined) {
      holding.delete(streamId);
      held();
    }
    if (aimed('duplicateDelivery')) await deliver(targetArn, input, context);
  };
}

function validFaults(config: FaultConfig): FaultConfig {
  if (typeof config !== 'object' || config === null)
    throw new LocalCoreError('INVALID_FAULT', 'the faults must be an object of fault names');
  for (const [name, fault] of Object.entries(config)) {
    if (name === 'seed') {
      if (!Number.isInteger(fault)) throw new LocalCoreError('INVALID_FAULT', 'seed must be a whole number');
      continue;
    }
    if (!(FAULT_NAMES as readonly string[]).includes(name))
      throw new LocalCoreError(
        'INVALID_FAULT',
        `unknown fault ${name.slice(0, 40)}; the faults are ${FAULT_NAMES.join(', ')}`,
      );
    const { rate = 1, times } = (fault ?? {}) as FaultSwitch;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
      throw new LocalCoreError('INVALID_FAULT', `${name}.rate must be a number from 0 to 1`);
    if (times !== undefined && !(Number.isInteger(times) && times >= 0))
      throw new LocalCoreError('INVALID_FAULT', `${name}.times must be a whole number of 0 or more`);
    const { target } = (fault ?? {}) as BusFaultSwitch;
    if (target !== undefined && typeof target !== 'string')
      throw new LocalCoreError('INVALID_FAULT', `${name}.target must be a part of a target's ARN`);
  }
  return config;
}

function zeroCounts(): Record<FaultName, number> {
  return Object.fromEntries(FAULT_NAMES.map((name) => [name, 0])) as Record<FaultName, number>;
}

/** A small seeded generator (mulberry32): the same seed gives the same choices. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** How the DynamoDB route injects the store faults. */
export interface DynamoDbFaults {
  /** An answer to give instead of serving the request (throttling), or undefined. */
  refuse(operation: string): { readonly status: number; readonly body: unknown } | undefined;
  /** After a successful write: true when the invocation that sent it was ended, and must get no answer. */
  crashAfterWrite(operation: string, request: Buffer): Promise<boolean>;
}

const THROTTLED = {
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API. (fault injected)',
};

export function dynamoDbFaults(
  faults: Faults,
  terminateRunning: (matches: (eventJson: string) => boolean) => Promise<number>,
): DynamoDbFaults {
  return {
    refuse: (operation) => {
      const operations = faults.current().storeThrottling?.operations;
      if (operations !== undefined && !operations.includes(operation)) return undefined;
      return faults.inject('storeThrottling') ? { status: 400, body: THROTTLED } : undefined;
    },
    crashAfterWrite: async (operation, request) => {
      if (operation !== 'TransactWriteItems' || !faults.inject('crashAfterWrite')) return false;
      const commitIds = [...request.toString('utf8').matchAll(/"commitId":\{"S":"((?:[^"\\]|\\.)*)"\}/g)].map(
        (match) => match[1] ?? '',
      );
      const ended = await terminateRunning((eventJson) => commitIds.some((id) => id !== '' && eventJson.includes(id)));
      return ended > 0;
    },
  };
}

/** Whether a GraphQL request is the notifier's (signed by one of the template's roles) and must fail. */
export function notifierIsDown(faults: Faults, isRoleRequest: () => boolean): boolean {
  return faults.current().notifierDown !== undefined && isRoleRequest() && faults.inject('notifierDown');
}
