import { describe, expect, it } from '@jest/globals';
import { given, testContext } from '@core/runtime/testing';
import fc from 'fast-check';
import { fold } from '@core/runtime';
import { nightsBetween, reservationDecider, type ReservationEvent } from '../src/index';

const today = '2026-11-28';
const context = testContext(`${today}T15:30:00Z`);
/** A front-end server acting for the reservation's guest, for another guest, and for an admin. */
const asGuest = testContext(`${today}T15:30:00Z`, 'id', { userId: 'u-1' });
const asOtherGuest = testContext(`${today}T15:30:00Z`, 'id', { userId: 'u-2', roles: ['concierge'] });
const asAdmin = testContext(`${today}T15:30:00Z`, 'id', { userId: 'staff-1', roles: ['admin'] });
const request = (dateStart: string, dateEnd: string) => ({
  type: 'CreateReservation' as const,
  data: { reservationId: 'r-1', userId: 'u-1', roomId: 'room-7', dateStart, dateEnd },
});
const requested: ReservationEvent = { type: 'ReservationRequested', data: request('2026-12-01', '2026-12-04').data };
const confirmed: ReservationEvent = {
  type: 'ReservationConfirmed',
  data: { reservationId: 'r-1', totalPrice: 36_000, currency: 'EUR' },
};
const rejected: ReservationEvent = {
  type: 'ReservationRejected',
  data: { reservationId: 'r-1', reason: 'ROOM_UNAVAILABLE' },
};
const cancelledData = (reason: string | null, wasConfirmed: boolean) => ({
  reservationId: 'r-1',
  reason,
  userId: 'u-1',
  roomId: 'room-7',
  wasConfirmed,
  totalPrice: null,
  currency: null,
});
const cancel = (reason: string | null = 'plans changed') => ({
  type: 'CancelReservation' as const,
  data: { reservationId: 'r-1', reason },
});

describe('createReservation', () => {
  it('requests a reservation that keeps every rule', () => {
    given(reservationDecider).when(request('2026-12-01', '2026-12-04'), context).then([requested]);
  });

  it('refuses dateEnd on or before dateStart', () => {
    given(reservationDecider)
      .when(request('2026-12-04', '2026-12-04'), context)
      .thenThrows('DATE_END_NOT_AFTER_START', 'must be after dateStart');
    given(reservationDecider).when(request('2026-12-04', '2026-12-01'), context).thenThrows('DATE_END_NOT_AFTER_START');
  });

  it('allows exactly 30 nights and refuses 31', () => {
    given(reservationDecider)
      .when(request('2026-12-01', '2026-12-31'), context)
      .then([{ type: 'ReservationRequested', data: request('2026-12-01', '2026-12-31').data }]);
    given(reservationDecider)
      .when(request('2026-12-01', '2027-01-01'), context)
      .thenThrows('STAY_TOO_LONG', 'at most 30 nights');
  });

  it('refuses a dateStart before today by the context clock, and accepts today', () => {
    given(reservationDecider)
      .when(request('2026-11-27', '2026-11-29'), context)
      .thenThrows('DATE_START_IN_PAST', 'before today (2026-11-28)');
    given(reservationDecider)
      .when(request(today, '2026-11-29'), context)
      .then([{ type: 'ReservationRequested', data: request(today, '2026-11-29').data }]);
  });

  it('books for the user the request is made for only, unless an admin makes it', () => {
    given(reservationDecider).when(request('2026-12-01', '2026-12-04'), asGuest).then([requested]);
    given(reservationDecider).when(request('2026-12-01', '2026-12-04'), asAdmin).then([requested]);
    given(reservationDecider)
      .when(request('2026-12-01', '2026-12-04'), asOtherGuest)
      .thenThrows('NOT_YOUR_RESERVATION', 'books for themselves only');
  });

  it('refuses to create a reservation that exists', () => {
    given(reservationDecider, [requested])
      .when(request('2026-12-01', '2026-12-04'), context)
      .thenThrows('RESERVATION_ALREADY_EXISTS');
  });
});

describe('cancelReservation', () => {
  it("cancels a requested reservation with its reason, for the reservation's own user or an admin", () => {
    const cancelled = [{ type: 'ReservationCancelled', data: cancelledData('plans changed', false) }];
    given(reservationDecider, [requested])
      .when(cancel(), asGuest)
      .then(cancelled as ReservationEvent[]);
    given(reservationDecider, [requested])
      .when(cancel(), asAdmin)
      .then(cancelled as ReservationEvent[]);
  });

  it('refuses anyone else: another user, a caller acting for nobody, the API key', () => {
    for (const stranger of [
      asOtherGuest,
      context,
      testContext(`${today}T15:30:00Z`, 'id', { kind: 'apiKey', id: 'api-key' }),
    ]) {
      given(reservationDecider, [requested])
        .when(cancel(), stranger)
        .thenThrows('NOT_RESERVATION_OWNER', "only the reservation's own user or an admin");
    }
  });

  it('cancels a confirmed reservation, saying so (the saga then releases the room and refunds)', () => {
    given(reservationDecider, [requested, confirmed])
      .when(cancel(), asGuest)
      .then([
        {
          type: 'ReservationCancelled',
          data: { ...cancelledData('plans changed', true), totalPrice: 36_000, currency: 'EUR' },
        },
      ]);
  });

  it('refuses a rejected reservation', () => {
    given(reservationDecider, [requested, rejected]).when(cancel(), asGuest).thenThrows('RESERVATION_REJECTED');
  });

  it('refuses an unknown reservation', () => {
    given(reservationDecider).when(cancel(), context).thenThrows('RESERVATION_NOT_FOUND', 'no reservation r-1');
  });

  it('refuses an already cancelled reservation', () => {
    const cancelled: ReservationEvent = { type: 'ReservationCancelled', data: cancelledData(null, false) };
    given(reservationDecider, [requested, cancelled])
      .when(cancel(), asGuest)
      .thenThrows('RESERVATION_ALREADY_CANCELLED');
  });
});

describe('evolve', () => {
  it('folds into the state the query shows', () => {
    const state = fold(reservationDecider, [
      requested,
      confirmed,
      { type: 'ReservationCancelled', data: cancelledData('x', true) },
    ]);
    expect(state).toEqual({
      status: 'CANCELLED',
      reservationId: 'r-1',
      userId: 'u-1',
      roomId: 'room-7',
      dateStart: '2026-12-01',
      dateEnd: '2026-12-04',
      cancellationReason: 'x',
      rejectionReason: null,
      totalPrice: 36_000,
      currency: 'EUR',
    });
  });
});

describe('the saga steps: confirmReservation and rejectReservation', () => {
  const confirm = { type: 'ConfirmReservation' as const, data: confirmed.data };
  const reject = {
    type: 'RejectReservation' as const,
    data: { reservationId: 'r-1', reason: 'PAYMENT_DECLINED' as const },
  };
  it('confirm or reject a requested reservation', () => {
    given(reservationDecider, [requested]).when(confirm, context).then([confirmed]);
    given(reservationDecider, [requested])
      .when(reject, context)
      .then([{ type: 'ReservationRejected', data: reject.data }]);
    expect(fold(reservationDecider, [requested, rejected])).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'ROOM_UNAVAILABLE',
    });
  });
  it('refuse any other: unknown, cancelled meanwhile, decided already', () => {
    given(reservationDecider).when(confirm, context).thenThrows('RESERVATION_NOT_FOUND');
    const cancelled: ReservationEvent = { type: 'ReservationCancelled', data: cancelledData(null, false) };
    given(reservationDecider, [requested, cancelled]).when(confirm, context).thenThrows('RESERVATION_CANCELLED');
    given(reservationDecider, [requested, confirmed]).when(reject, context).thenThrows('RESERVATION_CONFIRMED');
  });

  it('accepts a stay exactly when it is 1 to 30 nights from today on (property)', () => {
    const day = (offset: number) =>
      new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 60 }), fc.integer({ min: -5, max: 40 }), (startOffset, nights) => {
        const command = request(day(startOffset), day(startOffset + nights));
        const valid = startOffset >= 0 && nights >= 1 && nights <= 30;
        let accepted = true;
        try {
          reservationDecider.decide(command, reservationDecider.initialState, context);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(valid);
        expect(nightsBetween(command.data.dateStart, command.data.dateEnd)).toBe(nights);
      }),
    );
  });
});
