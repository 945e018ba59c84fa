/**
 * What the local services see of a command, turned into journey lines: the PutEvents request that
 * puts its commit on the bus (`bus`), each rule delivery (`rule`, timed from the bus), and the
 * notification mutation that fans its outcome out to subscriptions (`fan-out`). The payloads are read
 * as the runtime's contract says the ids travel: a commit carries its correlation id, a notification's
 * `input` its command id and status.
 */
import { correlationIdOfCommit, notificationOf } from '@core/runtime/contract';
import { performance } from 'node:perf_hooks';
import type { DeliveryContext } from '../eventbridge';
import type { Journey } from './journey';

export interface JourneyProbes {
  /** A PutEvents request body: one `bus` line per entry. */
  putEvents(body: Buffer): void;
  /** The correlation id of a bus target's input (an event whose detail is a commit), else the event id. */
  correlationOf(input: unknown, context: DeliveryContext): string;
  /** A rule delivered an event: one `rule` line, timed from PutEvents when `timed`. */
  delivered(correlationId: string, text: string, timed: boolean): void;
  /** The API published to `count` subscriptions while serving the current request. */
  published(count: number): void;
  /** Serves a GraphQL request; a notification mutation gets a `fan-out` line with its subscription count. */
  graphql(body: Buffer, serve: () => Promise<void>): Promise<void>;
}

export function createJourneyProbes(journey: Journey): JourneyProbes {
  const busAcceptedAt = new Map<string, number>();
  let lastPublished = 0;
  return {
    putEvents(body) {
      for (const entry of entriesOf(body)) {
        busAcceptedAt.set(entry.correlationId, performance.now());
        journey.record({
          correlationId: entry.correlationId,
          step: 'bus',
          text: `PutEvents ${entry.source} ${entry.detailType}`,
        });
      }
    },
    correlationOf: (input, context) =>
      correlationIdOfCommit((input as { detail?: unknown } | null | undefined)?.detail) ?? context.eventId,
    delivered(correlationId, text, timed) {
      const acceptedAt = busAcceptedAt.get(correlationId);
      const durationMs = timed && acceptedAt !== undefined ? performance.now() - acceptedAt : undefined;
      journey.record({ correlationId, step: 'rule', text, durationMs });
    },
    published(count) {
      lastPublished = count;
    },
    async graphql(body, serve) {
      const notice = notificationRequestOf(body);
      const begun = performance.now();
      lastPublished = 0;
      await serve();
      if (notice === undefined) return;
      journey.record({
        correlationId: journey.correlationOf(notice.commandId) ?? notice.commandId,
        step: 'fan-out',
        text: `${notice.field} ${notice.status} → ${lastPublished} subscription(s)`,
        durationMs: performance.now() - begun,
      });
    },
  };
}

/** The entries of a PutEvents request, each with the correlation id of the commit it carries. */
function entriesOf(body: Buffer): { correlationId: string; source: string; detailType: string }[] {
  try {
    const request = JSON.parse(body.toString('utf8')) as {
      Entries?: { Source?: string; DetailType?: string; Detail?: string }[];
    };
    return (request.Entries ?? []).map((entry) => ({
      correlationId: correlationIdOfCommit(entry.Detail ?? '{}') ?? 'no-correlation',
      source: entry.Source ?? '',
      detailType: entry.DetailType ?? '',
    }));
  } catch {
    return [];
  }
}

/** A notification mutation: its field (the first of the document) and the command id and status of its input. */
function notificationRequestOf(body: Buffer): { field: string; commandId: string; status: string } | undefined {
  try {
    const request = JSON.parse(body.toString('utf8')) as { query?: string; variables?: unknown };
    const field = /mutation[^{]*\{\s*(\w+)/.exec(request.query ?? '')?.[1];
    const notification = notificationOf(request.variables);
    if (field === undefined || notification === undefined) return undefined;
    return { field, ...notification };
  } catch {
    return undefined;
  }
}
