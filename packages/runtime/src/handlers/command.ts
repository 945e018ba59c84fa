/**
 * The command handler: an AppSync direct Lambda resolver for an aggregate's command mutations. It
 * loads the stream's state (1 read), decides, publishes the commit and answers "accepted, not yet
 * stored". A broken rule is thrown at once. A command id the stream already settled is answered again
 * and its outcome is notified again; a command id reused for another command is refused.
 *
 * A saga step invokes it directly (not through AppSync) with a `taskToken` in the input: the commit
 * carries the token, so the event handler reports the outcome to the waiting task; a broken rule is
 * then thrown under its code (`NIGHTS_UNAVAILABLE`) as the error name the state machine's Catch matches.
 */
import { EXTERNAL_COMMIT_DETAIL_TYPE } from '../bus-contract';
import { readConfig, type Config } from '../config';
import type { LogFields } from '../contract';
import { fold, type Decider, type DecideContext, type DomainEvent } from '../decider';
import {
  deterministicId,
  lastVersion,
  randomId,
  recentCommitMatch,
  toCommit,
  uniqueKeyChanges,
  type Commit,
} from '../envelope';
import { CoreError, GraphQLFacingError, ValidationError, isCoreError, toGraphQLFacingError } from '../errors';
import { preview } from '../text';
import { commandFingerprint } from '../fingerprint';
import { logDebug, logError, logInfo } from '../log';
import type { EventPublisher, EventStore, LoadedStream } from '../ports';
import { actorOf, correlationIdOf, type AppSyncResolverEvent, type LambdaContext } from './appsync-event';
import { memoize } from './memoize';

/** What a command mutation answers: accepted, not yet stored. */
export interface CommandAccepted {
  readonly id: string;
  readonly commandId: string;
  /** The command's fingerprint; every notification and outcome of this command carries it. */
  readonly fingerprint: string;
  /** After this instant the command is never stored: its outcome is final (ISO 8601). */
  readonly deadline: string;
}

/**
 * Events a command produces for another aggregate's stream (external events): published as an
 * `ExternalCommit` that the other aggregate's event handler stores, folding the state itself.
 */
export interface ExternalEvents {
  /** The aggregate whose event handler stores them: `payment`. */
  readonly aggregate: string;
  readonly streamId: string;
  /** The stream version they are decided on (0: a new stream). */
  readonly expectedVersion: number;
  readonly events: readonly DomainEvent[];
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
   * `ValidationError`). `context.newId` gives ids that are stable for a retried command.
   */
  readonly parse: (fieldName: string, args: Record<string, unknown>, context: DecideContext) => ParsedCommand<Command>;
  /** Builds the adapters once per cold start from the validated configuration. */
  readonly adapters: (config: Config) => CommandHandlerAdapters;
  /** Events the command also produces for other aggregates' streams. @default none */
  readonly external?: (command: Command, events: Event[]) => readonly ExternalEvents[];
  /** @default `readConfig(process.env)` */
  readonly config?: () => Config;
  /** @default the system clock */
  readonly clock?: () => Date;
}

/** The longest command id (and reply address) accepted, as for every other id. */
export const MAX_COMMAND_ID_LENGTH = 128;
/** The longest task token accepted (Step Functions' tokens are at most 1024 characters). */
const MAX_TASK_TOKEN_LENGTH = 2048;

/**
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
    const input = (event.arguments as { input?: { commandId?: unknown; replyTo?: unknown; taskToken?: unknown } })
      .input;
    const log: { -readonly [K in keyof LogFields]: LogFields[K] } = { step: 'command', field: event.info.fieldName };
    let taskToken: string | undefined;
    try {
      const commandId = optionalId(input?.commandId, 'commandId') ?? randomId();
      const replyTo = optionalId(input?.replyTo, 'replyTo');
      taskToken = optionalId(input?.taskToken, 'taskToken', MAX_TASK_TOKEN_LENGTH);
      const correlationId = correlationIdOf(event) ?? commandId;
      Object.assign(log, { correlationId, commandId });
      const { store, publisher, deadlineMs } = adapters();
      const now = clock();
      const actor = actorOf(event);
      const fingerprint = commandFingerprint(options.aggregate, event.info.fieldName, event.arguments, actor);
      const deadline = new Date(now.getTime() + deadlineMs);
      const sent = { commandId, fingerprint, correlationId, replyTo, taskToken, deadline };
      let idCount = 0;
      const context: DecideContext = {
        now,
        // From the command id alone, not its input: a command id reused for another create lands on
        // the stream its first use made, where its recent commits refuse it at once.
        newId: () => deterministicId(`${options.aggregate}/${event.info.fieldName}/${commandId}/id/${idCount++}`),
        actor,
      };
      const { streamId, command } = options.parse(event.info.fieldName, event.arguments, context);
      Object.assign(log, { streamId });
      const loaded = await store.load(streamId, options.decider);
      const known = recentCommitMatch(loaded.recentCommits, commandId, fingerprint);
      if (known !== undefined) return await answerSettled(known === 'same', streamId, sent, publisher, log);
      const events = await decideOrRecall(options.decider, command, loaded, context, async () => {
        const record = await store.findCommand(commandId);
        if (record === undefined) return undefined;
        return { sameCommand: record.streamId === streamId && record.fingerprint === fingerprint };
      });
      if (!Array.isArray(events)) return await answerSettled(events.sameCommand, streamId, sent, publisher, log);
      const state = fold(options.decider, events, loaded.state);
      const uniqueKeys = options.decider.uniqueKeys ?? (() => []);
      const commit = toCommit(events, {
        aggregate: options.aggregate,
        streamId,
        expectedVersion: loaded.version,
        ...sent,
        actor: context.actor,
        now,
        state,
        reducerVersion: options.decider.reducerVersion,
        previousCommits: loaded.recentCommits,
        ...uniqueKeyChanges(uniqueKeys(loaded.state), uniqueKeys(state)),
      });
      store.assertFits(commit);
      // External events first: once this aggregate's commit can be stored, they were published.
      const external = (options.external?.(command, events) ?? []).map((each) =>
        toCommit([...each.events], {
          ...sent,
          aggregate: each.aggregate,
          streamId: each.streamId,
          expectedVersion: each.expectedVersion,
          actor: context.actor,
          now,
          state: null,
          reducerVersion: 0,
          previousCommits: [],
        }),
      );
      if (external.length > 0) await publisher.publish(external, EXTERNAL_COMMIT_DETAIL_TYPE);
      await publisher.publish([commit]);
      logAccepted(commit, log, started);
      return { id: streamId, commandId, fingerprint, deadline: commit.deadline };
    } catch (error) {
      const facing = toGraphQLFacingError(error, lambdaContext.awsRequestId);
      if (facing.name === 'InternalError') logError('command failed', error, log);
      else {
        const code = isCoreError(error) ? error.code : facing.name;
        logInfo('command refused', { ...log, outcome: 'refused', errorType: facing.name, reason: code });
        logDebug('command refused', { ...log, reason: facing.message });
      }
      throw taskToken !== undefined && isCoreError(error) && error.category === 'BusinessRuleViolation'
        ? new GraphQLFacingError(error.code, facing.message)
        : facing;
    }
  };
}

interface SentCommand {
  readonly commandId: string;
  readonly fingerprint: string;
  readonly correlationId: string;
  readonly replyTo: string | undefined;
  readonly taskToken: string | undefined;
  readonly deadline: Date;
}

/** Whether a command id already recorded belongs to the command now sent. */
interface Recalled {
  readonly sameCommand: boolean;
}

/**
 * Decides the command. When the decider refuses it, the refusal may be the effect of this very
 * command, stored earlier (a retry of a create finds the reservation existing): then what its record
 * says is returned instead of the refusal.
 */
async function decideOrRecall<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  command: Command,
  loaded: LoadedStream<State>,
  context: DecideContext,
  recall: () => Promise<Recalled | undefined>,
): Promise<Event[] | Recalled> {
  let events: Event[];
  try {
    events = decider.decide(command, loaded.state, context);
  } catch (error) {
    if (!isCoreError(error) || error.category !== 'BusinessRuleViolation') throw error;
    const recorded = await recall();
    if (recorded === undefined) throw error;
    return recorded;
  }
  if (events.length === 0) throw new CoreError('Internal', 'NO_EVENTS', 'decide produced no events');
  return events;
}

/** A command id already settled: the same command is notified again; another one is refused. */
async function answerSettled(
  sameCommand: boolean,
  streamId: string,
  sent: SentCommand,
  publisher: EventPublisher,
  log: LogFields,
): Promise<CommandAccepted> {
  if (!sameCommand) {
    throw new ValidationError(
      'COMMAND_ID_REUSED',
      `command id ${preview(sent.commandId)} was already used for another command; choose a new command id`,
      'commandId',
    );
  }
  const { commandId, fingerprint, correlationId, replyTo, taskToken } = sent;
  await publisher.renotify({
    streamId,
    commandId,
    fingerprint,
    correlationId,
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(taskToken === undefined ? {} : { taskToken }),
  });
  logInfo('command already settled; its outcome is notified again', { ...log, outcome: 'replayed' });
  return { id: streamId, commandId, fingerprint, deadline: sent.deadline.toISOString() };
}

function logAccepted(commit: Commit, log: LogFields, started: number): void {
  logInfo('command accepted', {
    ...log,
    version: lastVersion(commit),
    events: commit.events.map((e) => e.type),
    outcome: 'accepted',
    durationMs: Date.now() - started,
  });
}

/** An optional id argument: absent, or a non-blank text of at most `maxLength` (128) printable characters. */
function optionalId(value: unknown, field: string, maxLength = MAX_COMMAND_ID_LENGTH): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength || /\p{Cc}/u.test(value))
    throw new ValidationError(
      'INVALID_ID',
      `${field} must be a non-blank id of at most ${maxLength} printable characters`,
      field,
    );
  return value;
}
