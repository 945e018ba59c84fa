/**
 * The answer contract's invariant checker: a pure function over plain data (what clients sent and
 * were answered, what they were notified and read back, what the event store holds) that lists every
 * broken promise. Commands are keyed by (command id, fingerprint), so a command id reused for another
 * command is a command of its own. Tests and the benchmark run it after a load, with or without faults:
 *
 * 1. every accepted command has exactly one final outcome, and it is what was notified;
 * 2. every stored commit is in the store once, its stream's versions follow on, and it was stored
 *    before its deadline;
 * 3. nothing rejected is in the store, and nothing is stored without its STORED record;
 * 4. each stream's kept state, and each state a query answered, is the fold of the stored events;
 * 5. the outcome query agrees with the notifications, and is final once a notification was received
 *    or the deadline plus the grace has passed.
 */
import { isDeepStrictEqual } from 'node:util';
import { fold, type DomainEvent, type Reducer } from '../decider';
import type { CommandRecord } from '../ports';

/** One command a client sent, and what the mutation answered. */
export interface SentCommand {
  readonly commandId: string;
  readonly answer:
    | { readonly accepted: true; readonly streamId: string; readonly fingerprint: string; readonly deadline: string }
    | { readonly accepted: false; readonly errorType: string; readonly message?: string };
}

/** The final outcomes as a client sees them (a notification, or the outcome query's answer). */
export interface ObservedOutcome {
  readonly streamId: string;
  readonly commandId: string;
  readonly fingerprint?: string | null;
  readonly status: 'STORED' | 'REJECTED' | 'PENDING';
  readonly version?: number | null;
  /** The rejection's code. */
  readonly code?: string | null;
  /** Epoch ms it was received (a notification) or read (the outcome query). */
  readonly at: number;
}

/** One commit item of the event store, as `readEventTable` gives it. */
export interface StoredCommitItem {
  readonly streamId: string;
  readonly firstVersion: number;
  readonly lastVersion: number;
  readonly commitId: string;
  readonly fingerprint: string;
  readonly deadline: string;
  readonly storedAt: string;
  readonly events: readonly { readonly type: string; readonly data: unknown; readonly version: number }[];
  readonly state: unknown;
  readonly reducerVersion: number;
}

export interface StoreContents {
  readonly commits: readonly StoredCommitItem[];
  readonly records: readonly CommandRecord[];
}

export interface ContractObservations {
  readonly commands: readonly SentCommand[];
  readonly notifications: readonly ObservedOutcome[];
  /** Answers of the outcome query (`get<Aggregate>CommandOutcome`). */
  readonly outcomes?: readonly ObservedOutcome[];
  readonly store: StoreContents;
  /** What a query answered for a stream after the run: the reducer's state, or the API's view of it (`toView`). */
  readonly queried?: readonly { readonly streamId: string; readonly state: unknown }[];
}

export interface ContractCheckOptions<Event extends DomainEvent, State> {
  /** Folds each stream's stored events, to compare with the kept and the queried states. */
  readonly reducer?: Reducer<Event, State>;
  /** How a query shows a folded state (and the stream's version). @default the state itself */
  readonly toView?: (state: State, version: number) => unknown;
  /** After its deadline plus this, an accepted command's outcome query must not answer PENDING. @default 0 */
  readonly graceMs?: number;
  /** Every accepted command must have its record (the run is over, past the grace). @default true */
  readonly requireFinal?: boolean;
}

export interface ContractReport {
  readonly ok: boolean;
  /** One sentence per broken promise. */
  readonly violations: readonly string[];
  readonly summary: {
    readonly sent: number;
    readonly accepted: number;
    readonly refused: number;
    readonly stored: number;
    readonly rejected: Readonly<Record<string, number>>;
    readonly pending: number;
    readonly notifications: number;
    /** Notifications beyond the first for a command: repeats of the same outcome. */
    readonly repeatedNotifications: number;
    readonly commits: number;
  };
}

type Final = { status: 'STORED'; version: number } | { status: 'REJECTED'; code: string } | { status: 'PENDING' };

/**
 * @example
 * const report = checkAnswerContract({ commands, notifications, outcomes, store }, { reducer: reservationDecider, graceMs: 90_000 });
 * expect(report.violations).toEqual([]);
 */
export function checkAnswerContract<Event extends DomainEvent, State>(
  observations: ContractObservations,
  options: ContractCheckOptions<Event, State> = {},
): ContractReport {
  const violations: string[] = [];
  const { store } = observations;
  const records = new Map(store.records.map((record) => [record.commandId, record]));
  const accepted = acceptedCommands(observations.commands);
  const finals = new Map([...accepted].map(([key, command]) => [key, finalOf(command, records)]));
  checkOutcomes(observations, accepted, finals, options, violations);
  checkStore(store, records, violations);
  checkRefused(observations.commands, accepted, store, violations);
  if (options.reducer !== undefined) checkFolds(observations, options.reducer, options.toView, violations);
  const values = [...finals.values()];
  const rejected: Record<string, number> = {};
  for (const final of values) if (final.status === 'REJECTED') rejected[final.code] = (rejected[final.code] ?? 0) + 1;
  const notified = new Set(observations.notifications.map(keyOfObserved));
  return {
    ok: violations.length === 0,
    violations,
    summary: {
      sent: observations.commands.length,
      accepted: accepted.size,
      refused: observations.commands.filter((command) => !command.answer.accepted).length,
      stored: values.filter((final) => final.status === 'STORED').length,
      rejected,
      pending: values.filter((final) => final.status === 'PENDING').length,
      notifications: observations.notifications.length,
      repeatedNotifications: observations.notifications.length - notified.size,
      commits: store.commits.length,
    },
  };
}

interface AcceptedCommand {
  readonly commandId: string;
  readonly streamId: string;
  readonly fingerprint: string;
  readonly deadline: number;
}

const keyOf = (commandId: string, fingerprint: string | null | undefined) => `${commandId} ${fingerprint ?? ''}`;
const keyOfObserved = (observed: ObservedOutcome) => keyOf(observed.commandId, observed.fingerprint);

function acceptedCommands(commands: readonly SentCommand[]): Map<string, AcceptedCommand> {
  const accepted = new Map<string, AcceptedCommand>();
  for (const { commandId, answer } of commands) {
    if (!answer.accepted) continue;
    const deadline = Date.parse(answer.deadline);
    const known = accepted.get(keyOf(commandId, answer.fingerprint));
    accepted.set(keyOf(commandId, answer.fingerprint), {
      commandId,
      streamId: answer.streamId,
      fingerprint: answer.fingerprint,
      deadline: known === undefined ? deadline : Math.max(known.deadline, deadline),
    });
  }
  return accepted;
}

/** What the record says of a command: its own outcome, COMMAND_ID_REUSED under another command's record, or PENDING. */
function finalOf(command: AcceptedCommand, records: ReadonlyMap<string, CommandRecord>): Final {
  const record = records.get(command.commandId);
  if (record === undefined) return { status: 'PENDING' };
  if (record.fingerprint !== command.fingerprint || record.streamId !== command.streamId)
    return { status: 'REJECTED', code: 'COMMAND_ID_REUSED' };
  return record.status === 'STORED'
    ? { status: 'STORED', version: record.version }
    : { status: 'REJECTED', code: record.code };
}

function describe(final: Final | ObservedOutcome): string {
  if (final.status === 'STORED') return `STORED v${String(final.version)}`;
  if (final.status === 'REJECTED') return `REJECTED ${String(final.code)}`;
  return 'PENDING';
}

function agrees(observed: ObservedOutcome, final: Final): boolean {
  if (observed.status !== final.status) return false;
  if (final.status === 'STORED') return observed.version === final.version;
  if (final.status === 'REJECTED') return observed.code === final.code;
  return true;
}

/** Promises 1 and 5: one final outcome per accepted command, notified and read back alike. */
function checkOutcomes<Event extends DomainEvent, State>(
  { notifications, outcomes = [] }: ContractObservations,
  accepted: ReadonlyMap<string, AcceptedCommand>,
  finals: ReadonlyMap<string, Final>,
  options: ContractCheckOptions<Event, State>,
  violations: string[],
): void {
  const notifiedAt = new Map<string, number>();
  for (const notification of notifications) {
    const key = keyOfObserved(notification);
    const final = finals.get(key);
    notifiedAt.set(key, Math.min(notifiedAt.get(key) ?? Infinity, notification.at));
    if (final === undefined) continue; // a command these observations did not send (another client's)
    if (!agrees(notification, final))
      violations.push(
        `command ${notification.commandId} was notified ${describe(notification)} but its outcome is ${describe(final)}`,
      );
  }
  for (const [key, command] of accepted) {
    const final = finals.get(key) ?? { status: 'PENDING' };
    if (final.status === 'PENDING' && options.requireFinal !== false)
      violations.push(`accepted command ${command.commandId} has no final outcome (no record)`);
  }
  const grace = options.graceMs ?? 0;
  for (const outcome of outcomes) {
    const key = keyOfObserved(outcome);
    const command = accepted.get(key) ?? [...accepted.values()].find((each) => each.commandId === outcome.commandId);
    const final = command === undefined ? undefined : finals.get(keyOf(command.commandId, command.fingerprint));
    if (command === undefined || final === undefined) continue;
    if (outcome.status === 'PENDING') {
      const notified = notifiedAt.get(keyOf(command.commandId, command.fingerprint));
      if (notified !== undefined && outcome.at > notified)
        violations.push(`the outcome query answered PENDING for ${command.commandId} after it was notified`);
      else if (outcome.at > command.deadline + grace)
        violations.push(`the outcome query answered PENDING for ${command.commandId} after its deadline and the grace`);
    } else if (outcome.fingerprint === command.fingerprint && !agrees(outcome, final)) {
      violations.push(
        `the outcome query answered ${describe(outcome)} for ${command.commandId}, whose outcome is ${describe(final)}`,
      );
    }
  }
}

/** Promises 2 and 3: each commit once, in sequence, before its deadline, with its STORED record; nothing rejected stored. */
function checkStore(store: StoreContents, records: ReadonlyMap<string, CommandRecord>, violations: string[]): void {
  const byCommit = new Map<string, StoredCommitItem[]>();
  const byStream = new Map<string, StoredCommitItem[]>();
  for (const commit of store.commits) {
    byCommit.set(commit.commitId, [...(byCommit.get(commit.commitId) ?? []), commit]);
    byStream.set(commit.streamId, [...(byStream.get(commit.streamId) ?? []), commit]);
    if (Date.parse(commit.storedAt) > Date.parse(commit.deadline))
      violations.push(
        `commit ${commit.commitId} was stored at ${commit.storedAt}, after its deadline ${commit.deadline}`,
      );
    const record = records.get(commit.commitId);
    if (record === undefined) violations.push(`commit ${commit.commitId} is stored without its command record`);
    else if (record.status === 'REJECTED')
      violations.push(`commit ${commit.commitId} is stored although its command was rejected (${record.code})`);
    else if (record.fingerprint !== commit.fingerprint || record.firstVersion !== commit.firstVersion)
      violations.push(`commit ${commit.commitId} is not the one its STORED record names`);
  }
  for (const [commitId, commits] of byCommit)
    if (commits.length > 1) violations.push(`commit ${commitId} is stored ${commits.length} times`);
  for (const [streamId, commits] of byStream) {
    let version = 0;
    for (const commit of [...commits].sort((a, b) => a.firstVersion - b.firstVersion)) {
      const numbered = commit.events.every((event, index) => event.version === commit.firstVersion + index);
      if (commit.firstVersion !== version + 1 || commit.lastVersion !== version + commit.events.length || !numbered)
        violations.push(`stream ${streamId}: commit ${commit.commitId} does not follow on version ${version}`);
      version = commit.lastVersion;
    }
  }
  for (const record of records.values()) {
    if (record.status !== 'STORED') continue;
    const commit = byCommit.get(record.commandId)?.[0];
    if (commit === undefined)
      violations.push(`command ${record.commandId} is recorded STORED but its commit is missing`);
  }
}

/** A command refused at once left nothing in the store (unless the same command id was also accepted). */
function checkRefused(
  commands: readonly SentCommand[],
  accepted: ReadonlyMap<string, AcceptedCommand>,
  store: StoreContents,
  violations: string[],
): void {
  const acceptedIds = new Set([...accepted.values()].map((command) => command.commandId));
  const storedIds = new Set(store.commits.map((commit) => commit.commitId));
  for (const { commandId, answer } of commands) {
    if (answer.accepted || acceptedIds.has(commandId) || !storedIds.has(commandId)) continue;
    if (answer.errorType === 'BusinessRuleViolation' || answer.errorType === 'ValidationError')
      violations.push(`command ${commandId} was refused (${answer.errorType}) but a commit of its id is stored`);
  }
}

/** Promise 4: kept and queried states equal the fold of the stored events. */
/**
 * Every kept state is the fold of its stream's events up to it, and every query answered the view of
 * the stream as some stored commit left it (a query may run before later commits of its stream).
 */
function checkFolds<Event extends DomainEvent, State>(
  { store, queried = [] }: ContractObservations,
  reducer: Reducer<Event, State>,
  toView: (state: State, version: number) => unknown = (state) => state,
  violations: string[],
): void {
  const streams = new Map<string, { state: State; views: unknown[] }>();
  const sorted = [...store.commits].sort((a, b) => a.firstVersion - b.firstVersion);
  for (const commit of sorted) {
    const stream = streams.get(commit.streamId) ?? {
      state: reducer.initialState,
      views: [toView(reducer.initialState, 0)],
    };
    stream.state = fold(reducer, commit.events as unknown as Event[], stream.state);
    stream.views.push(toView(stream.state, commit.lastVersion));
    streams.set(commit.streamId, stream);
    if (commit.reducerVersion === reducer.reducerVersion && !sameJson(commit.state, stream.state))
      violations.push(
        `stream ${commit.streamId}: the state kept with commit ${commit.commitId} is not the fold of its events`,
      );
  }
  for (const { streamId, state } of queried) {
    const views = streams.get(streamId)?.views ?? [toView(reducer.initialState, 0)];
    if (!views.some((view) => sameJson(state, view)))
      violations.push(`stream ${streamId}: a query answered a state that is not the fold`);
  }
}

/** Equal as JSON: a state read back from the store has no `undefined` members. */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
}
