import { describe, expect, it } from '@jest/globals';
import { notificationOf } from '@core/runtime/contract';
import { toCommit, type CommitOutcome } from '@core/runtime';
import { RESERVATION_SAVED_MUTATION, reservationDecider, toNotification, type ReservationState } from '../src/index';

// The local core's journey finds a notification's command id and status where the runtime's contract
// says they are; this aggregate's notification must put them there.
const commit = toCommit([], {
  aggregate: 'reservation',
  streamId: 'r-1',
  expectedVersion: 0,
  commandId: 'k-1',
  correlationId: 'c-1',
  actor: { kind: 'apiKey', id: 'api-key' },
  now: new Date('2026-11-28T10:00:00Z'),
  deadline: new Date('2026-11-28T10:00:10Z'),
});

describe('the reservationSaved notification', () => {
  it('carries the command id and status where the contract reads them, stored or rejected', () => {
    const stored: CommitOutcome<ReservationState> = {
      status: 'STORED',
      commit,
      version: 1,
      state: reservationDecider.initialState,
    };
    const rejected: CommitOutcome<ReservationState> = {
      status: 'REJECTED',
      commit,
      error: { code: 'CONFLICT', message: 'taken' },
    };

    expect(notificationOf(toNotification(stored))).toEqual({ commandId: 'k-1', status: 'STORED' });
    expect(notificationOf(toNotification(rejected))).toEqual({ commandId: 'k-1', status: 'REJECTED' });
    expect(RESERVATION_SAVED_MUTATION).toMatch(/\(\$input: ReservationNotificationInput!\)/);
  });
});
