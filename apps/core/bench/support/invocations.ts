/**
 * One sample invocation per function role, as Lambda would deliver it: a command mutation (AppSync),
 * the next commit a command handler published (EventBridge), that commit again as a dead letter (SQS;
 * the usual dead letter: stored, then its notification failed), a query of a stream that was stored.
 * The role is the construct id's suffix; the aggregate (the construct id before it) chooses the
 * command and the query. A function this file does not know fails the benchmark, naming it.
 */
import type { PutEventsEntry } from '@core/runtime/testing';

type Role = 'CommandHandler' | 'EventHandler' | 'DeadLetterHandler' | 'QueryHandler';
/** In the order a round needs them: commands publish the commits the event handlers store. */
const ROLES: Role[] = ['CommandHandler', 'EventHandler', 'DeadLetterHandler', 'QueryHandler'];

/** Per aggregate: a command that stores a new stream (run `n`), and a query of a stream. */
const AGGREGATES: Record<string, { command: (n: number) => unknown; query: (streamId: string) => unknown }> = {
  Reservation: {
    command: (n) => ({
      arguments: {
        input: {
          userId: 'u',
          roomId: `room-${n}`,
          dateStart: day(3),
          dateEnd: day(5),
          commandId: `bench-${process.pid}-${n}`,
        },
      },
      identity: null,
      info: { fieldName: 'createReservation', parentTypeName: 'Mutation' },
    }),
    query: (streamId) => ({
      arguments: { id: streamId },
      identity: null,
      info: { fieldName: 'getReservationById', parentTypeName: 'Query' },
    }),
  },
  Customer: {
    command: (n) =>
      mutation('registerCustomer', {
        email: `bench-${process.pid}-${n}@bench.example`,
        name: 'Bench',
        commandId: commandIdOf(n),
      }),
    query: (streamId) => query('getCustomerById', { id: streamId }),
  },
  Room: {
    command: (n) =>
      mutation('registerRoom', { name: `Room ${n}`, nightlyPrice: 10_000, currency: 'EUR', commandId: commandIdOf(n) }),
    query: (streamId) => query('getRoomById', { id: streamId }),
  },
  Payment: {
    command: (n) =>
      mutation('openPaymentAccount', {
        customerId: `bench-customer-${process.pid}-${n}`,
        creditLimit: 100_000,
        currency: 'EUR',
        commandId: commandIdOf(n),
      }),
    query: (streamId) => query('getPaymentAccountByCustomerId', { customerId: streamId.replace(/^account-/, '') }),
  },
};

function commandIdOf(n: number): string {
  return `bench-${process.pid}-${n}`;
}

function mutation(fieldName: string, input: Record<string, unknown>): unknown {
  return { arguments: { input }, identity: null, info: { fieldName, parentTypeName: 'Mutation' } };
}

function query(fieldName: string, args: Record<string, unknown>): unknown {
  return { arguments: args, identity: null, info: { fieldName, parentTypeName: 'Query' } };
}

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

export interface SampleInvocations {
  /** The subjects in the order a round needs: command handlers publish what event handlers store. */
  ordered<T extends { fn: { name: string } }>(subjects: T[]): T[];
  next(functionName: string): unknown;
}

export function sampleInvocations(published: readonly PutEventsEntry[]): SampleInvocations {
  let runs = 0;
  const delivered = new Set<number>();
  /** Per aggregate, the commit its event handler stored last (what its dead-letter handler and query use). */
  const lastStored = new Map<string, { streamId: string; delivery: unknown }>();
  const roleOf = (name: string): { role: Role; aggregate: string } => {
    const [aggregate = '', id = ''] = name.split('/');
    const role = ROLES.find((candidate) => id.endsWith(candidate));
    if (role === undefined) throw new Error(`bench/support/invocations.ts has no sample invocation for ${name}`);
    return { role, aggregate };
  };
  const samplesOf = (aggregate: string, name: string) => {
    const samples = AGGREGATES[aggregate];
    if (samples === undefined) throw new Error(`bench/support/invocations.ts has no sample command for ${name}`);
    return samples;
  };
  /** The oldest commit the aggregate's command handler published (its source is `core.<aggregate>`) not yet delivered. */
  const deliver = (aggregate: string, name: string) => {
    const index = published.findIndex(
      (entry, i) => !delivered.has(i) && entry.Source === `core.${aggregate.toLowerCase()}`,
    );
    const entry = published[index];
    if (entry === undefined) throw new Error(`${name}: no commit published yet to deliver`);
    delivered.add(index);
    const detail = JSON.parse(entry.Detail) as { streamId: string };
    const delivery = { id: `bench-${index}`, source: entry.Source, 'detail-type': entry.DetailType, detail };
    lastStored.set(aggregate, { streamId: detail.streamId, delivery });
    return delivery;
  };
  return {
    ordered: (subjects) =>
      [...subjects].sort((a, b) => ROLES.indexOf(roleOf(a.fn.name).role) - ROLES.indexOf(roleOf(b.fn.name).role)),
    next(name) {
      const { role, aggregate } = roleOf(name);
      if (role === 'CommandHandler') return samplesOf(aggregate, name).command(++runs);
      if (role === 'EventHandler') return deliver(aggregate, name);
      const stored = lastStored.get(aggregate);
      if (role === 'QueryHandler') return samplesOf(aggregate, name).query(stored?.streamId ?? 'none-yet');
      if (stored === undefined) throw new Error(`${name}: no commit delivered yet to redrive`);
      return { Records: [{ messageId: `bench-dead-letter-${runs}`, body: JSON.stringify(stored.delivery) }] };
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2 : (sorted[middle] ?? 0);
}
