/**
 * What the demo knows of each reservation it sent, as a timeline the page shows and pushes: the
 * tentative answer ("being processed"), the stored request ("ready"), then the saga's decision
 * (confirmed, or rejected with its reason), or why the request was not stored.
 *
 * The saga's decision arrives as a notification on the client's one subscription (the saga's
 * confirm and reject carry the request's replyTo). If it does not come (the subscription was down,
 * a message was lost), the reservation is read back by id.
 */
import type { CoreClient, SentCommand } from '@core/client';
import type { Reservation, ReservationNotification } from '@core/contracts';

export type Phase = 'processing' | 'ready' | 'confirmed' | 'rejected' | 'failed';

export interface TimelineEntry {
  readonly seq: number;
  readonly phase: Phase;
  readonly text: string;
  readonly final: boolean;
}

type Listener = (entry: TimelineEntry) => void;

interface Tracked {
  readonly entries: TimelineEntry[];
  readonly listeners: Set<Listener>;
}

/** How often, and how many times, an undecided reservation is read back when no decision was heard. */
const READ_BACK_EVERY_MS = 5_000;
const READ_BACKS = 12;
/** Reservations kept in memory; the oldest are forgotten. */
const KEPT = 1_000;

export class ReservationTracker {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly core: CoreClient,
    /** Whether the command's outcome was read back from the outcome query (not heard as a notification). */
    private readonly readBack: (commandId: string) => boolean,
  ) {}

  entries(id: string): readonly TimelineEntry[] | undefined {
    return this.tracked.get(id)?.entries;
  }

  /** Calls `listener` with every entry after `after`, now and as they come; returns the unsubscribe. */
  listen(id: string, after: number, listener: Listener): () => void {
    const tracked = this.tracked.get(id);
    if (tracked === undefined) return () => undefined;
    for (const entry of tracked.entries) if (entry.seq > after) listener(entry);
    tracked.listeners.add(listener);
    return () => tracked.listeners.delete(listener);
  }

  /** Follows a sent createReservation until the saga decided it. */
  track(sent: SentCommand<Reservation>): void {
    const tracked: Tracked = { entries: [], listeners: new Set() };
    this.tracked.set(sent.id, tracked);
    if (this.tracked.size > KEPT) this.tracked.delete(this.tracked.keys().next().value as string);
    const add = (phase: Phase, text: string) => {
      const entry = {
        seq: tracked.entries.length + 1,
        phase,
        text,
        final: phase !== 'processing' && phase !== 'ready',
      };
      tracked.entries.push(entry);
      for (const listener of tracked.listeners) listener(entry);
    };
    add('processing', `Being processed: reservation ${sent.id} was accepted (a tentative answer, not yet stored).`);

    let decision: Reservation | undefined;
    let stored = false;
    let done = false;
    let stop = () => undefined as void;
    const finish = () => {
      if (done) return;
      done = true;
      stop();
      if (decision === undefined) add('failed', 'No decision was heard or read back in time.');
      else if (decision.status === 'CONFIRMED') add('confirmed', `Confirmed: ${stay(decision)}, ${money(decision)}.`);
      else add('rejected', `Rejected: ${decision.rejectionReason ?? 'no reason given'}.`);
    };
    const decided = (reservation: Reservation | null | undefined) => {
      if (reservation == null || decision !== undefined) return;
      if (reservation.status !== 'CONFIRMED' && reservation.status !== 'REJECTED') return;
      decision = reservation;
      if (stored) finish();
    };
    const readById = () => void this.core.reservation.getReservationById(sent.id).then(decided, () => undefined);
    const unwatch = this.core.reservation.watch(sent.id, {
      onNotification: (notification: ReservationNotification) => decided(notification.reservation),
      onGap: readById,
    });
    let readBacks = 0;
    const timer = setInterval(() => (++readBacks > READ_BACKS ? finish() : stored && readById()), READ_BACK_EVERY_MS);
    timer.unref();
    stop = () => {
      clearInterval(timer);
      unwatch();
    };

    sent.settled.then(
      (reservation) => {
        stored = true;
        const how = this.readBack(sent.commandId)
          ? 'read back from the outcome query (its notification did not come)'
          : 'notified on the subscription';
        add('ready', `Ready: stored as ${reservation.status} (version ${reservation.version}), ${how}.`);
        if (decision !== undefined) finish();
      },
      (error: { code?: string; message?: string }) => {
        done = true;
        stop();
        add('failed', `Not stored: ${error.code ?? 'ERROR'}: ${error.message ?? ''}`);
      },
    );
  }
}

function stay(reservation: Reservation): string {
  const nights = Math.round((Date.parse(reservation.dateEnd) - Date.parse(reservation.dateStart)) / 86_400_000);
  return `${nights} night${nights === 1 ? '' : 's'} from ${reservation.dateStart}`;
}

function money(reservation: Reservation): string {
  if (reservation.totalPrice == null) return 'no price';
  return `${(reservation.totalPrice / 100).toFixed(2)} ${reservation.currency ?? ''}`.trim();
}
