import { describe, expect, it } from '@jest/globals';
import {
  correlationIdOfCommit,
  formatHandlerLogLine,
  notificationOf,
  parseHandlerLogLine,
  storeOutcomeOf,
} from '../src/contract';

describe('the handler log line', () => {
  it('reads back what it writes, after a prefix, keeping fields outside the contract', () => {
    const text = formatHandlerLogLine('INFO', 'command accepted', {
      step: 'command',
      correlationId: 'c-1',
      commandId: 'k-1',
      outcome: 'accepted',
      version: 2,
      events: ['Added'],
    });
    expect(parseHandlerLogLine(`2026-11-28T10:00:00Z\treq-1\tINFO\t${text}`)).toEqual({
      level: 'INFO',
      message: 'command accepted',
      step: 'command',
      correlationId: 'c-1',
      commandId: 'k-1',
      outcome: 'accepted',
      version: 2,
      events: ['Added'],
    });
  });

  it('is not a handler line when a contract field has another type or value', () => {
    const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'INFO', message: 'm', ...fields });
    expect(parseHandlerLogLine(line({ step: 'bus' }))).toBeUndefined();
    expect(parseHandlerLogLine(line({ step: 'store', outcome: 'Stored' }))).toBeUndefined();
    expect(parseHandlerLogLine(line({ step: 'notify', status: 'DONE' }))).toBeUndefined();
    expect(parseHandlerLogLine(line({ correlationId: 7 }))).toBeUndefined();
    expect(parseHandlerLogLine(line({ version: '2' }))).toBeUndefined();
    expect(parseHandlerLogLine(JSON.stringify({ message: 'no level' }))).toBeUndefined();
    expect(parseHandlerLogLine('cold start 12 ms')).toBeUndefined();
    expect(parseHandlerLogLine('{ not json')).toBeUndefined();
  });

  it('names a stored commit stored and a rejected one by its code', () => {
    expect(storeOutcomeOf({ status: 'STORED' })).toBe('stored');
    expect(storeOutcomeOf({ status: 'REJECTED', error: { code: 'CONFLICT' } })).toBe('conflict');
    expect(storeOutcomeOf({ status: 'REJECTED', error: { code: 'TIMEOUT' } })).toBe('timeout');
  });
});

describe('ids in payloads', () => {
  it("finds the correlation id in a commit, as an object or as a PutEvents entry's Detail text", () => {
    expect(correlationIdOfCommit({ correlationId: 'c-1', events: [] })).toBe('c-1');
    expect(correlationIdOfCommit(JSON.stringify({ correlationId: 'c-2' }))).toBe('c-2');
    expect(correlationIdOfCommit('{')).toBeUndefined();
    expect(correlationIdOfCommit({ correlationId: 3 })).toBeUndefined();
    expect(correlationIdOfCommit(null)).toBeUndefined();
  });

  it("reads a notification's command id and status from its variables", () => {
    expect(notificationOf({ input: { id: 'r', commandId: 'k', status: 'STORED', version: 1 } })).toEqual({
      commandId: 'k',
      status: 'STORED',
    });
    expect(notificationOf({ input: { commandId: 'k', status: 'LOST' } })).toBeUndefined();
    expect(notificationOf({ input: { status: 'STORED' } })).toBeUndefined();
    expect(notificationOf(undefined)).toBeUndefined();
  });
});
