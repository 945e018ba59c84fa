import { readConfig, type Config } from '../config';
import type { DomainEvent, Reducer } from '../decider';
import { toGraphQLFacingError } from '../errors';
import { logError } from '../log';
import type { EventStore, LoadedStream } from '../ports';
import type { AppSyncResolverEvent, LambdaContext } from './appsync-event';
import { memoize } from './memoize';

/** Loads one stream's state with the shared reducer; what a query resolver gets. */
export type LoadState<State> = (streamId: string) => Promise<LoadedStream<State>>;

export interface QueryHandlerOptions<Event extends DomainEvent, State> {
  readonly reducer: Reducer<Event, State>;
  /** One resolver per query field name. */
  readonly queries: Record<string, (args: Record<string, unknown>, load: LoadState<State>) => Promise<unknown>>;
  readonly adapters: (config: Config) => { readonly store: EventStore };
  /** @default `readConfig(process.env)` */
  readonly config?: () => Config;
}

/**
 * An AppSync query handler: folds a stream with the reducer the command handler uses, reading the
 * state kept with the newest commit (1 read) unless the reducer version changed.
 *
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
        throw new Error(`no query resolver for ${event.info.parentTypeName}.${event.info.fieldName}`);
      const { store } = adapters();
      return await query(event.arguments, (streamId) => store.load(streamId, options.reducer));
    } catch (error) {
      const facing = toGraphQLFacingError(error, lambdaContext.awsRequestId);
      if (facing.name === 'InternalError')
        logError('query failed', error, { step: 'query', field: event.info.fieldName });
      throw facing;
    }
  };
}
