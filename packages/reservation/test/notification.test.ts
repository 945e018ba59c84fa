import { describe, expect, it } from '@jest/globals';
import { notificationOf } from '@core/runtime/contract';
import type { FinalOutcome } from '@core/runtime';
import { RESERVATION_SAVED_MUTATION, reservationDecider, toNotification, type ReservationState } from '../src/index';

// The local core's journey finds a notification's command id and status where the runtime's contract
// says they are; this aggregate's notification must put them there.
const address = { streamId: 'r-1', commandId: 'k-1', fingerprint: 'fp-1', correlationId: 'c-1' };

describe('the reservationSaved notification', () => {
  it('carries the command id and status where the contract reads them, stored or rejected', () => {
    const stored: FinalOutcome<ReservationState> = {
      ...address,
      status: 'STORED',
      version: 1,
      state: reservationDecider.initialState,
    };
    const rejected: FinalOutcome<ReservationState> = {
      ...address,
      status: 'REJECTED',
      error: { code: 'CONFLICT', message: 'taken' },
    };

    expect(notificationOf(toNotification(stored))).toEqual({ commandId: 'k-1', status: 'STORED' });
    expect(notificationOf(toNotification(rejected))).toEqual({ commandId: 'k-1', status: 'REJECTED' });
    expect(RESERVATION_SAVED_MUTATION).toMatch(/\(\$input: ReservationNotificationInput!\)/);
  });
});
