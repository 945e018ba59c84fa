/**
 * The query handler: an AppSync direct Lambda resolver for an aggregate's query fields. It folds a
 * stream with the reducer the command handler uses, reading the state kept with the newest commit
 * (1 read) unless the reducer version changed, and reads a command's outcome from its record.
 */
import { readConfig, type Config } from '../config';
import type { DomainEvent, Reducer } from '../decider';
import { CoreError, toGraphQLFacingError } from '../errors';
import { logError } from '../log';
import { readCommandOutcome } from '../outcome';
import type { CommandOutcome, EventStore, LoadedStream } from '../ports';
import type { AppSyncResolverEvent, LambdaContext } from './appsync-event';
import { memoize } from './memoize';

/** What a query resolver may read: one stream's state, and one command's outcome. */
export interface QueryReaders<State> {
  load(streamId: string): Promise<LoadedStream<State>>;
  /** The command's outcome: STORED, REJECTED, or PENDING while it has none. */
  outcome(streamId: string, commandId: string): Promise<CommandOutcome<State>>;
}

export interface QueryHandlerOptions<Event extends DomainEvent, State> {
  readonly reducer: Reducer<Event, State>;
  /** One resolver per query field name. */
  readonly queries: Record<string, (args: Record<string, unknown>, read: QueryReaders<State>) => Promise<unknown>>;
  readonly adapters: (config: Config) => { readonly store: EventStore };
  /** @default `readConfig(process.env)` */
  readonly config?: () => Config;
}

/**
 * @example
 * export const handler = createQueryHandler({ reducer, queries: { getReservationById: ... }, adapters });
 */
export function createQueryHandler<Event extends DomainEvent, State>(
  options: QueryHandlerOptions<Event, State>,
): (event: AppSyncResolverEvent, context: LambdaContext) => Promise<unknown> {
  const adapters = memoize(() => options.adapters((options.config ?? (() => readConfig(process.env)))()));
  return async (event, lambdaContext) => {
    try {
      const query = options.queries[event.info.fieldName];
      if (query === undefined)
        throw new CoreError(
          'Internal',
          'NO_RESOLVER',
          `no query resolver for ${event.info.parentTypeName}.${event.info.fieldName}`,
        );
      const { store } = adapters();
      return await query(event.arguments, {
        load: (streamId) => store.load(streamId, options.reducer),
        outcome: (streamId, commandId) => readCommandOutcome(store, options.reducer, streamId, commandId),
      });
    } catch (error) {
      const facing = toGraphQLFacingError(error, lambdaContext.awsRequestId);
      if (facing.name === 'InternalError')
        logError('query failed', error, { step: 'query', field: event.info.fieldName });
      throw facing;
    }
  };
}
