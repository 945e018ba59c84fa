/**
 * The decider: an aggregate's whole behaviour as three pure values over plain unions.
 * `decide` turns a command into events (or throws a business rule violation), `evolve` folds one
 * event into the state. Command and query handlers share the same `evolve` (the seed's "reducer
 * shared as a lib").
 */

/** A domain event before it is wrapped in an envelope. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** The kinds of caller an actor can be. */
export const ACTOR_KINDS = ['iam', 'apiKey', 'cognito', 'system'] as const;

/**
 * Who asked: taken from the caller's AppSync identity, never from a command's input (see
 * `actorOf` in `@core/runtime/handlers`).
 */
export interface Actor {
  /** `iam` for a signed AWS caller, `cognito` for a user pool user, `apiKey` for the development key, `system` for internal callers. */
  readonly kind: (typeof ACTOR_KINDS)[number];
  /** The IAM user/role ARN, the Cognito subject, or `api-key`. */
  readonly id: string;
  /**
   * The end user the command is sent for, when an authenticated caller vouches for one: a Cognito
   * user is that user; a front-end server names the user in its signed `x-core-user` header.
   * Absent otherwise (the API key never has one).
   */
  readonly userId?: string;
  /** That user's roles, vouched for the same way: the Cognito groups, or the signed `x-core-user-roles` header. */
  readonly roles?: readonly string[];
}

/**
 * Whether the actor acts for this user.
 *
 * @example
 * if (!actsFor(context.actor, state.userId) && !hasRole(context.actor, 'admin')) throw new ForbiddenError(...);
 */
export function actsFor(actor: Actor, userId: string): boolean {
  return actor.userId !== undefined && actor.userId === userId;
}

/** Whether the actor's user has this role. */
export function hasRole(actor: Actor, role: string): boolean {
  return actor.roles?.includes(role) === true;
}

/**
 * Everything non-deterministic that `decide` may need comes in here: the clock, new ids and the
 * caller. Domain code never reads the clock or generates ids itself, so a test fixes them.
 */
export interface DecideContext {
  readonly now: Date;
  /** A new id; deterministic per command id, so a retried command gets the same ids. */
  readonly newId: () => string;
  readonly actor: Actor;
}

/**
 * A value of a stream's state that no other stream of the aggregate may hold at the same time (an
 * email address). The event store claims it with the commit that first gives the state that value,
 * in the same transaction, and releases it with the commit that gives it up.
 */
export interface UniqueKey {
  /** The claimed value, scoped by the aggregate: `email:ada@example.com`. */
  readonly key: string;
  /** The rejection code a commit is notified when another stream holds the key: `EMAIL_ALREADY_REGISTERED`. */
  readonly code: Uppercase<string>;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  readonly initialState: State;
  /** Returns the events the command produces; throws a `BusinessRuleViolationError` to refuse it. */
  readonly decide: (command: Command, state: State, context: DecideContext) => Event[];
  readonly evolve: (state: State, event: Event) => State;
  /**
   * Bump it whenever `evolve` or the state's shape changes: states kept with older commits are then
   * ignored and the stream is folded from its first event.
   */
  readonly reducerVersion: number;
  /**
   * The unique keys a state holds. The command handler compares them before and after a command: the
   * commit claims the new ones and releases the ones given up. @default none
   */
  readonly uniqueKeys?: (state: State) => readonly UniqueKey[];
}

/** The part of a decider that rebuilds state; all that the event and query handlers need. */
export type Reducer<Event extends DomainEvent, State> = Pick<
  Decider<never, Event, State>,
  'initialState' | 'evolve' | 'reducerVersion'
>;

/**
 * Folds events into a state.
 *
 * @example
 * const state = fold(reservationDecider, events);
 */
export function fold<Event extends DomainEvent, State>(
  reducer: Reducer<Event, State>,
  events: Iterable<Event>,
  from: State = reducer.initialState,
): State {
  let state = from;
  for (const event of events) state = reducer.evolve(state, event);
  return state;
}
