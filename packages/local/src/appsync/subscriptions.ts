/**
 * The subscriptions open on all real-time connections, and AppSync's basic filtering: a published
 * mutation result reaches a subscription when every argument the subscriber gave equals the field
 * of the same name in the result.
 */
import { isDeepStrictEqual } from 'node:util';
import { isRecord } from './json';

/** One started subscription, as the registry sees it. */
export interface RegisteredSubscription {
  /** The `Subscription` field subscribed to. */
  readonly fieldName: string;
  /** The subscriber's arguments on that field; `null` and absent arguments are left out (no filter). */
  readonly filter: Readonly<Record<string, unknown>>;
  /** Hands the published payload to the subscriber's connection. */
  deliver(payload: unknown): void;
}

/**
 * True when `payload` passes the subscriber's argument filter: all arguments must equal the
 * payload's field of the same name (AND). A field the mutation didn't select is absent from the
 * payload and never matches.
 */
export function matchesFilter(filter: Readonly<Record<string, unknown>>, payload: unknown): boolean {
  const entries = Object.entries(filter);
  if (entries.length === 0) {
    return true;
  }
  if (!isRecord(payload)) {
    return false;
  }
  return entries.every(([name, expected]) => name in payload && isDeepStrictEqual(payload[name], expected));
}

/**
 * Drops arguments that don't filter: absent ones (AppSync) and explicit `null`s. What AppSync does
 * with an explicit `null` is not documented; treating it as "no filter" means a client that sends
 * `onX(id: $id)` with `$id` unset gets everything, as it would if it had left the argument out.
 */
export function filterOf(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null && value !== undefined));
}

/** Subscriptions by `Subscription` field. */
export class SubscriptionRegistry {
  private readonly byField = new Map<string, Set<RegisteredSubscription>>();

  add(subscription: RegisteredSubscription): void {
    const set = this.byField.get(subscription.fieldName) ?? new Set();
    set.add(subscription);
    this.byField.set(subscription.fieldName, set);
  }

  remove(subscription: RegisteredSubscription): void {
    this.byField.get(subscription.fieldName)?.delete(subscription);
  }

  /** Delivers `payload` to the subscriptions of `fieldNames` whose filter it passes; returns how many. */
  publish(fieldNames: readonly string[], payload: unknown): number {
    let delivered = 0;
    for (const fieldName of fieldNames) {
      for (const subscription of this.byField.get(fieldName) ?? []) {
        if (matchesFilter(subscription.filter, payload)) {
          subscription.deliver(payload);
          delivered += 1;
        }
      }
    }
    return delivered;
  }
}
