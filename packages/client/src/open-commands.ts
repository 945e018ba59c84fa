/**
 * The commands this client sent that have not settled yet, and how each one settles: by its
 * notification on the client's subscription, or by the outcome query when the notification may have
 * been missed.
 *
 * - A notification is matched by command id and fingerprint; one with another fingerprint is
 *   another command reusing the id, and is ignored.
 * - A notification can come before the mutation's answer (the store is fast): it waits for the answer.
 * - When the aggregate's subscription is acknowledged (after a reconnection, or a first connection
 *   that came after the send), every open command of that aggregate reads its outcome: whatever was
 *   notified while nobody listened is read back, and what is still PENDING will be notified, since
 *   the subscription is up again.
 * - At the deadline plus the grace, a command still open reads its outcome once more: STORED or
 *   REJECTED settles it, PENDING rejects it TIMEOUT (nothing is stored after its deadline).
 */
import type { AggregateDescription, AggregateName } from './aggregates';
import { CommandRejectedError, TransportError, isCoreClientError, type CoreClientError } from './errors';
import { backoffDelay, type ClientSettings } from './options';

/** A notification, or an outcome query's answer: the fields every aggregate's have in common. */
export interface Notification {
  readonly id: string;
  readonly commandId: string;
  readonly fingerprint?: string | null;
  readonly replyTo?: string | null;
  readonly status: 'STORED' | 'REJECTED' | 'PENDING';
  readonly version?: number | null;
  readonly error?: { readonly code: string; readonly message: string } | null;
}

/** What the mutation answered. */
export interface Accepted {
  readonly id: string;
  readonly commandId: string;
  readonly fingerprint: string;
  readonly deadline: string;
}

export interface OpenCommandsDeps {
  readonly settings: ClientSettings;
  readOutcome(aggregate: AggregateDescription, id: string, commandId: string): Promise<Notification | null>;
}

interface OpenCommand {
  readonly aggregate: AggregateDescription;
  readonly commandId: string;
  accepted: Accepted | undefined;
  /** Notifications that came before the mutation's answer. */
  readonly early: Notification[];
  /** Read the outcome as soon as the answer comes (the subscription came up after the send). */
  readOnAccept: boolean;
  lateTimer: NodeJS.Timeout | undefined;
  lateReads: number;
  resolve(state: unknown): void;
  reject(error: CoreClientError): void;
}

/** Outcome reads at the deadline that may fail (no answer) before the command is given up. */
const LATE_READ_ATTEMPTS = 3;

export class OpenCommands {
  private readonly open = new Map<string, OpenCommand>();

  constructor(private readonly deps: OpenCommandsDeps) {}

  get size(): number {
    return this.open.size;
  }

  has(commandId: string): boolean {
    return this.open.has(commandId);
  }

  /** Registers a command before it is sent; the promise settles with its stored state or its rejection. */
  begin(aggregate: AggregateDescription, commandId: string): Promise<unknown> {
    const settled = new Promise<unknown>((resolve, reject) => {
      this.open.set(commandId, {
        aggregate,
        commandId,
        accepted: undefined,
        early: [],
        readOnAccept: false,
        lateTimer: undefined,
        lateReads: 0,
        resolve,
        reject,
      });
    });
    // The caller may never look at `settled`: its rejection must not crash the process.
    settled.catch(() => undefined);
    return settled;
  }

  /** The mutation answered: the command is accepted and waits for its outcome. */
  accepted(commandId: string, accepted: Accepted): void {
    const command = this.open.get(commandId);
    if (command === undefined) return;
    command.accepted = accepted;
    for (const notification of command.early.splice(0)) this.notified(command.aggregate.name, notification);
    if (!this.isOpen(command)) return;
    const deadline = Date.parse(accepted.deadline);
    const lateInMs = (Number.isFinite(deadline) ? deadline - Date.now() : 10_000) + this.deps.settings.graceMs;
    this.scheduleLateRead(command, Math.max(0, lateInMs));
    if (command.readOnAccept) void this.read(command, 'resubscribed');
  }

  /** The mutation was refused, or could not be sent: the command was never accepted. */
  abandoned(commandId: string): void {
    const command = this.open.get(commandId);
    if (command !== undefined) this.forget(command);
  }

  /** A notification on the aggregate's subscription. Returns whether it settled or awaits an open command. */
  notified(aggregate: AggregateName, notification: Notification): boolean {
    const command = this.open.get(notification.commandId);
    if (command === undefined || command.aggregate.name !== aggregate) return false;
    if (command.accepted === undefined) {
      command.early.push(notification);
      return true;
    }
    if (notification.fingerprint !== command.accepted.fingerprint) {
      this.deps.settings.diagnostic({
        type: 'ignored-notification',
        aggregate,
        commandId: notification.commandId,
        why: 'another fingerprint: another command reused the command id',
      });
      return false;
    }
    this.settle(command, notification);
    return true;
  }

  /** The aggregate's subscription is (again) acknowledged: read what may have been missed. */
  resubscribed(aggregate: AggregateName): void {
    for (const command of this.open.values()) {
      if (command.aggregate.name !== aggregate) continue;
      if (command.accepted === undefined) command.readOnAccept = true;
      else void this.read(command, 'resubscribed');
    }
  }

  /** Rejects every open command with `error` (the client closes). */
  rejectAll(error: CoreClientError): void {
    for (const command of [...this.open.values()]) {
      this.forget(command);
      command.reject(error);
    }
  }

  private scheduleLateRead(command: OpenCommand, inMs: number): void {
    clearTimeout(command.lateTimer);
    command.lateTimer = setTimeout(() => void this.read(command, 'late'), inMs);
    command.lateTimer.unref();
  }

  private async read(command: OpenCommand, reason: 'late' | 'resubscribed'): Promise<void> {
    const accepted = command.accepted;
    if (accepted === undefined || !this.isOpen(command)) return;
    let outcome: Notification | null;
    try {
      outcome = await this.deps.readOutcome(command.aggregate, accepted.id, accepted.commandId);
    } catch (error) {
      if (reason === 'late') this.lateReadFailed(command, error);
      return;
    }
    if (!this.isOpen(command)) return;
    const status = outcome?.status ?? 'PENDING';
    this.deps.settings.diagnostic({
      type: 'outcome-read',
      reason,
      aggregate: command.aggregate.name,
      commandId: command.commandId,
      status,
    });
    if (outcome === null || status === 'PENDING') {
      if (reason === 'late') this.rejectTimedOut(command);
      return;
    }
    if (outcome.fingerprint !== accepted.fingerprint) {
      const message = `command id ${accepted.commandId} was used for another command, whose outcome is recorded`;
      this.forget(command);
      command.reject(new CommandRejectedError('COMMAND_ID_REUSED', message, accepted));
      return;
    }
    this.settle(command, outcome);
  }

  private lateReadFailed(command: OpenCommand, error: unknown): void {
    command.lateReads += 1;
    if (command.lateReads < LATE_READ_ATTEMPTS) {
      this.scheduleLateRead(command, backoffDelay(this.deps.settings.requestBackoff, command.lateReads) + 1_000);
      return;
    }
    this.forget(command);
    const message = `command ${command.commandId} was accepted, but its outcome could not be read: ${
      isCoreClientError(error) ? error.message : String(error)
    }`;
    command.reject(new TransportError('OUTCOME_UNKNOWN', message, { cause: error }));
  }

  private rejectTimedOut(command: OpenCommand): void {
    const accepted = command.accepted as Accepted;
    this.forget(command);
    const message = `no outcome was recorded for command ${accepted.commandId} by its deadline (${accepted.deadline}) and the grace: it was not stored, and never will be`;
    command.reject(new CommandRejectedError('TIMEOUT', message, accepted));
  }

  private settle(command: OpenCommand, notification: Notification): void {
    if (notification.status === 'PENDING') return;
    this.forget(command);
    if (notification.status === 'STORED') {
      command.resolve((notification as unknown as Record<string, unknown>)[command.aggregate.stateField]);
      return;
    }
    const code = notification.error?.code ?? 'REJECTED';
    const message = notification.error?.message ?? 'the command was not stored';
    command.reject(
      new CommandRejectedError(code as Uppercase<string>, message, {
        id: notification.id,
        commandId: command.commandId,
      }),
    );
  }

  /** Whether `command` itself (not a later command with its id) is still open. */
  private isOpen(command: OpenCommand): boolean {
    return this.open.get(command.commandId) === command;
  }

  private forget(command: OpenCommand): void {
    clearTimeout(command.lateTimer);
    if (this.isOpen(command)) this.open.delete(command.commandId);
  }
}
