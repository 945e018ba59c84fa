/**
 * The answer contract's one source of truth: a command's outcome is read from its record. The event
 * handler notifies it, a retry is notified it again, and the outcome query returns it; all three read
 * it here, so they cannot disagree.
 */
import type { DomainEvent, Reducer } from './decider';
import type { CommandOutcome, CommandRecord, EventStore, FinalOutcome } from './ports';
import { DependencyError } from './errors';

/** Who is asking: the command as its sender knows it (its stream, id and fingerprint). */
export interface OutcomeRequest {
  readonly streamId: string;
  readonly commandId: string;
  readonly fingerprint?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
}

/**
 * The final outcome a record gives the command `asked`. A record of another command (another
 * fingerprint or stream under the same command id) means `asked` reused the id: COMMAND_ID_REUSED.
 */
export async function outcomeOfRecord<Event extends DomainEvent, State>(
  record: CommandRecord,
  asked: OutcomeRequest,
  store: Pick<EventStore, 'stateAt'>,
  reducer: Reducer<Event, State>,
): Promise<FinalOutcome<State>> {
  const sameCommand =
    record.streamId === asked.streamId && (asked.fingerprint === undefined || asked.fingerprint === record.fingerprint);
  const address = {
    streamId: asked.streamId,
    commandId: asked.commandId,
    fingerprint: sameCommand ? record.fingerprint : asked.fingerprint,
    correlationId: asked.correlationId ?? record.correlationId,
    ...replyToOf(asked.replyTo ?? (sameCommand ? record.replyTo : undefined)),
  };
  if (!sameCommand) {
    const message = `command id ${asked.commandId} was already used for another command`;
    return { ...address, status: 'REJECTED', error: { code: 'COMMAND_ID_REUSED', message } };
  }
  if (record.status === 'REJECTED')
    return { ...address, status: 'REJECTED', error: { code: record.code, message: record.message } };
  const state = await store.stateAt(record.streamId, record.firstVersion, reducer);
  if (state === undefined)
    throw new DependencyError(
      'CORRUPT_ITEM',
      `command ${record.commandId} is recorded STORED but its commit is missing`,
    );
  return { ...address, status: 'STORED', version: record.version, state };
}

/**
 * What the outcome query answers: the recorded outcome, or PENDING while the command has no record
 * (accepted and in flight, or never accepted: a command id this aggregate has not seen).
 */
export async function readCommandOutcome<Event extends DomainEvent, State>(
  store: Pick<EventStore, 'findCommand' | 'stateAt'>,
  reducer: Reducer<Event, State>,
  streamId: string,
  commandId: string,
): Promise<CommandOutcome<State>> {
  const record = await store.findCommand(commandId);
  if (record === undefined) return { streamId, commandId, status: 'PENDING' };
  return outcomeOfRecord(record, { streamId, commandId }, store, reducer);
}

function replyToOf(replyTo: string | undefined): { replyTo?: string } {
  return replyTo === undefined ? {} : { replyTo };
}
