import { describe, expect, it } from '@jest/globals';
import { notificationOf } from '@core/runtime/contract';
import type { FinalOutcome } from '@core/runtime';
import { PAYMENT_SAVED_MUTATION, paymentDecider, toNotification, type PaymentState } from '../src/index';

// The local core's journey finds a notification's command id and status where the runtime's contract
// says they are; this aggregate's notification must put them there.
const address = { streamId: 'r-1', commandId: 'k-1', fingerprint: 'fp-1', correlationId: 'c-1' };

describe('the paymentSaved notification', () => {
  it('carries the command id and status where the contract reads them, stored or rejected', () => {
    const stored: FinalOutcome<PaymentState> = {
      ...address,
      status: 'STORED',
      version: 1,
      state: paymentDecider.initialState,
    };
    const rejected: FinalOutcome<PaymentState> = {
      ...address,
      status: 'REJECTED',
      error: { code: 'CONFLICT', message: 'taken' },
    };

    expect(notificationOf(toNotification(stored))).toEqual({ commandId: 'k-1', status: 'STORED' });
    expect(notificationOf(toNotification(rejected))).toEqual({ commandId: 'k-1', status: 'REJECTED' });
    expect(PAYMENT_SAVED_MUTATION).toMatch(/\(\$input: PaymentNotificationInput!\)/);
  });
});
