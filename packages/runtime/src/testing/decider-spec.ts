/**
 * Given/when/then for deciders: given past events, when a command arrives, then these events (or
 * this rule violation).
 *
 * @example
 * given(reservationDecider, [requested])
 *   .when({ type: 'CancelReservation', data: { reason: 'x' } }, context)
 *   .then([{ type: 'ReservationCancelled', data: { reason: 'x' } }]);
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { fold, type Actor, type DecideContext, type Decider, type DomainEvent } from '../decider';
import { isCoreError } from '../errors';

export interface DeciderSpecification<Command, Event extends DomainEvent> {
  when(
    command: Command,
    context: DecideContext,
  ): {
    /** Asserts that exactly these events are decided. */
    then(expected: Event[]): void;
    /** Asserts that the command is refused with this error code (and, if given, a message containing `message`). */
    thenThrows(code: string, message?: string | RegExp): void;
  };
}

export function given<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  events: Event[] = [],
): DeciderSpecification<Command, Event> {
  const state = fold(decider, events);
  return {
    when(command, context) {
      return {
        then(expected) {
          const actual = decider.decide(command, state, context);
          assertDeepEqual(actual, expected);
        },
        thenThrows(code, message) {
          let thrown: unknown;
          try {
            decider.decide(command, state, context);
          } catch (error) {
            thrown = error;
          }
          if (thrown === undefined)
            throw new Error(`expected the command to be refused with ${code}, but it was accepted`);
          if (!isCoreError(thrown)) throw new Error(`expected a CoreError with code ${code}, got ${String(thrown)}`);
          if (thrown.code !== code)
            throw new Error(`expected error code ${code}, got ${thrown.code}: ${thrown.message}`);
          if (message !== undefined) {
            const matches =
              typeof message === 'string' ? thrown.message.includes(message) : message.test(thrown.message);
            if (!matches) throw new Error(`error message "${thrown.message}" does not match ${String(message)}`);
          }
        },
      };
    },
  };
}

/**
 * A fixed decide context for tests: a given clock, counting ids, and an IAM actor (a front-end
 * server acting for nobody unless `actor` says otherwise).
 *
 * @example
 * testContext('2026-11-28T10:00:00Z', 'id', { userId: 'u-1' }); // acting for user u-1
 */
export function testContext(now: string | Date, idPrefix = 'id', actor: Partial<Actor> = {}): DecideContext {
  let count = 0;
  return {
    now: typeof now === 'string' ? new Date(now) : now,
    newId: () => `${idPrefix}-${++count}`,
    actor: { kind: 'iam', id: 'arn:aws:iam::000000000000:role/test', ...actor },
  };
}

/** Structural equality: key order does not matter, `undefined` and a missing key differ. */
function assertDeepEqual(actual: unknown, expected: unknown): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const show = (value: unknown) => inspect(value, { depth: null, breakLength: Infinity });
  throw new Error(`decided events differ\n  expected: ${show(expected)}\n  actual:   ${show(actual)}`);
}
