import { describe, expect, it } from '@jest/globals';
import { fold } from '@core/runtime';
import { given, testContext } from '@core/runtime/testing';
import fc from 'fast-check';
import { paymentDecider, totals, type PaymentEvent } from '../src/index';

const context = testContext('2026-11-28T15:30:00Z');
const ref = { accountId: 'acc-1', authorizationId: 'r-1' };
const opened: PaymentEvent = {
  type: 'PaymentAccountOpened',
  data: { accountId: 'acc-1', customerId: 'c-1', creditLimit: 50_000, currency: 'EUR' },
};
const authorized: PaymentEvent = { type: 'PaymentAuthorized', data: { ...ref, amount: 30_000 } };
const captured: PaymentEvent = { type: 'PaymentCaptured', data: { ...ref, amount: 30_000 } };
const authorize = (amount: number, authorizationId = 'r-1', currency = 'EUR') => ({
  type: 'AuthorizePayment' as const,
  data: { accountId: 'acc-1', authorizationId, amount, currency },
});

describe('openPaymentAccount', () => {
  it('opens one account, and refuses a second', () => {
    given(paymentDecider).when({ type: 'OpenPaymentAccount', data: opened.data }, context).then([opened]);
    given(paymentDecider, [opened])
      .when({ type: 'OpenPaymentAccount', data: opened.data }, context)
      .thenThrows('PAYMENT_ACCOUNT_EXISTS');
  });
});

describe('authorizePayment', () => {
  it('authorizes up to the available credit and refuses above it', () => {
    given(paymentDecider, [opened]).when(authorize(30_000), context).then([authorized]);
    given(paymentDecider, [opened, authorized])
      .when(authorize(20_001, 'r-2'), context)
      .thenThrows('CREDIT_LIMIT_EXCEEDED', 'more than the 20000 available');
  });
  it('refuses another currency, an unknown account and an authorization id used before', () => {
    given(paymentDecider, [opened])
      .when(authorize(1, 'r-2', 'USD'), context)
      .thenThrows('CURRENCY_MISMATCH');
    given(paymentDecider).when(authorize(1), context).thenThrows('PAYMENT_ACCOUNT_NOT_FOUND');
    given(paymentDecider, [opened, authorized]).when(authorize(1), context).thenThrows('AUTHORIZATION_EXISTS');
  });
});

describe('capture, refund and void', () => {
  const capture = (amount: number | null) => ({ type: 'CapturePayment' as const, data: { ...ref, amount } });
  const refund = (amount: number | null) => ({ type: 'RefundPayment' as const, data: { ...ref, amount } });
  it('captures at most what was authorized (all of it by default)', () => {
    given(paymentDecider, [opened, authorized]).when(capture(null), context).then([captured]);
    given(paymentDecider, [opened, authorized])
      .when(capture(30_001), context)
      .thenThrows('CAPTURE_EXCEEDS_AUTHORIZATION');
  });
  it('refunds at most what was captured, and only a captured authorization', () => {
    given(paymentDecider, [opened, authorized, captured])
      .when(refund(null), context)
      .then([{ type: 'PaymentRefunded', data: { ...ref, amount: 30_000 } }]);
    given(paymentDecider, [opened, authorized, captured])
      .when(refund(30_001), context)
      .thenThrows('REFUND_EXCEEDS_CAPTURE');
    given(paymentDecider, [opened, authorized]).when(refund(1), context).thenThrows('AUTHORIZATION_OPEN');
  });
  it('voids an open authorization, and no other', () => {
    const voidIt = { type: 'VoidPaymentAuthorization' as const, data: ref };
    given(paymentDecider, [opened, authorized])
      .when(voidIt, context)
      .then([{ type: 'PaymentAuthorizationVoided', data: { ...ref, amount: 30_000 } }]);
    given(paymentDecider, [opened, authorized, captured]).when(voidIt, context).thenThrows('AUTHORIZATION_CAPTURED');
  });
});

describe('the totals', () => {
  it('keep available = creditLimit − open authorizations − captured + refunded, whatever happens', () => {
    const step = fc.record({
      kind: fc.constantFrom('authorize', 'capture', 'refund', 'void'),
      id: fc.constantFrom('a', 'b', 'c'),
      amount: fc.integer({ min: 1, max: 30_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        let events: PaymentEvent[] = [opened];
        for (const { kind, id, amount } of steps) {
          const data = { accountId: 'acc-1', authorizationId: id };
          const command =
            kind === 'authorize'
              ? { type: 'AuthorizePayment' as const, data: { ...data, amount, currency: 'EUR' } }
              : kind === 'capture'
                ? { type: 'CapturePayment' as const, data: { ...data, amount: null } }
                : kind === 'refund'
                  ? { type: 'RefundPayment' as const, data: { ...data, amount: null } }
                  : { type: 'VoidPaymentAuthorization' as const, data };
          try {
            events = [...events, ...paymentDecider.decide(command, fold(paymentDecider, events), context)];
          } catch {
            // A refused step changes nothing.
          }
        }
        const state = fold(paymentDecider, events);
        if (state.status !== 'OPEN') throw new Error('the account is open');
        const sums = totals(state);
        expect(sums.available).toBe(50_000 - sums.authorized - sums.captured + sums.refunded);
        expect(sums.available).toBeGreaterThanOrEqual(0);
        expect(sums.refunded).toBeLessThanOrEqual(sums.captured);
      }),
    );
  });
});
