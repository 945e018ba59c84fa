import { readConfig, type Config } from '../config';
import type { LogFields } from '../contract';
import { fold, type Decider, type DecideContext, type DomainEvent } from '../decider';
import { deterministicId, lastVersion, randomId, toCommit, toDomainEvents } from '../envelope';
import { CoreError, toGraphQLFacingError } from '../errors';
import { logError, logInfo } from '../log';
import type { EventPublisher, EventStore } from '../ports';
import { actorOf, correlationIdOf, type AppSyncResolverEvent, type LambdaContext } from './appsync-event';
import { memoize } from './memoize';

/** What a command mutation answers: accepted, not yet stored. */
export interface CommandAccepted {
  readonly id: string;
  readonly commandId: string;
}

/** A parsed command: which stream it targets and what it asks. */
export interface ParsedCommand<Command> {
  readonly streamId: string;
  readonly command: Command;
}

export interface CommandHandlerAdapters {
  readonly store: EventStore;
  readonly publisher: EventPublisher;
  /** Time from acceptance to the deadline after which the event is never stored. */
  readonly deadlineMs: number;
}

export interface CommandHandlerOptions<Command, Event extends DomainEvent, State> {
  /** The aggregate type, as stored with every commit: `reservation`. */
  readonly aggregate: string;
  readonly decider: Decider<Command, Event, State>;
  /**
   * Turns the mutation (field name and arguments) into a command, validating the input (throw a
   * `ValidationError`). `context.newId` gives ids that are stable for a retried command id.
   */
  readonly parse: (fieldName: string, args: Record<string, unknown>, context: DecideContext) => ParsedCommand<Command>;
  /** Builds the adapters once per cold start from the validated configuration. */
  readonly adapters: (config: Config) => CommandHandlerAdapters;
  /** @default `readConfig(process.env)` */
  readonly config?: () => Config;
  /** @default the system clock */
  readonly clock?: () => Date;
}

/**
 * An AppSync direct-Lambda-resolver command handler: load the stream's state (1 read), decide,
 * publish the commit, answer `{ id, commandId }` ("accepted, not yet stored"). A broken rule is
 * thrown at once as a GraphQL error whose `errorType` is `BusinessRuleViolation` and whose message
 * starts with the rule's code. A command id the stream already stored is answered the same way
 * again, without a second publish.
 *
 * @example
 * export const handler = createCommandHandler({ aggregate: 'reservation', decider, parse, adapters: (config) => ({ ... }) });
 */
export function createCommandHandler<Command, Event extends DomainEvent, State>(
  options: CommandHandlerOptions<Command, Event, State>,
): (event: AppSyncResolverEvent, context: LambdaContext) => Promise<CommandAccepted> {
  const adapters = memoize(() => options.adapters((options.config ?? (() => readConfig(process.env)))()));
  const clock = options.clock ?? (() => new Date());

  return async (event, lambdaContext) => {
    const started = Date.now();
    const input = (event.arguments as { input?: { commandId?: unknown } }).input;
    const commandId = typeof input?.commandId === 'string' && input.commandId !== '' ? input.commandId : randomId();
    const correlationId = correlationIdOf(event) ?? commandId;
    const log: LogFields = { step: 'command', correlationId, commandId, field: event.info.fieldName };
    try {
      const { store, publisher, deadlineMs } = adapters();
      const now = clock();
      let idCount = 0;
      const context: DecideContext = {
        now,
        newId: () => deterministicId(`${commandId}/id/${idCount++}`),
        actor: actorOf(event.identity),
      };
      const { streamId, command } = options.parse(event.info.fieldName, event.arguments, context);
      const loaded = await store.load(streamId, options.decider);
      if (loaded.recentCommitIds.includes(commandId)) {
        logInfo('command already stored; answered again', { ...log, streamId, outcome: 'replayed' });
        return { id: streamId, commandId };
      }
      const events = options.decider.decide(command, loaded.state, context);
      if (events.length === 0) {
        throw new CoreError('Internal', 'NO_EVENTS', `decide produced no events for ${event.info.fieldName}`);
      }
      const commit = toCommit(events, {
        aggregate: options.aggregate,
        streamId,
        expectedVersion: loaded.version,
        commandId,
        correlationId,
        actor: context.actor,
        now,
        deadline: new Date(now.getTime() + deadlineMs),
      });
      const stateAfter = fold(options.decider, toDomainEvents(commit.events), loaded.state);
      store.assertFits(commit, stateAfter, options.decider.reducerVersion, loaded.recentCommitIds);
      await publisher.publish([commit]);
      logInfo('command accepted', {
        ...log,
        streamId,
        version: lastVersion(commit),
        events: commit.events.map((e) => e.type),
        outcome: 'accepted',
        durationMs: Date.now() - started,
      });
      return { id: streamId, commandId };
    } catch (error) {
      const facing = toGraphQLFacingError(error, lambdaContext.awsRequestId);
      if (facing.name === 'InternalError') logError('command failed', error, log);
      else logInfo('command refused', { ...log, outcome: 'refused', errorType: facing.name, reason: facing.message });
      throw facing;
    }
  };
}
