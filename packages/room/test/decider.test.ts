import { describe, expect, it } from '@jest/globals';
import { fold } from '@core/runtime';
import { given, testContext } from '@core/runtime/testing';
import fc from 'fast-check';
import { isAvailable, overlaps, roomDecider, type RoomEvent } from '../src/index';

const context = testContext('2026-11-28T15:30:00Z');
const registered: RoomEvent = {
  type: 'RoomRegistered',
  data: { roomId: 'room-1', name: 'Sea view', nightlyPrice: 12_000, currency: 'EUR' },
};
const hold = (reservationId: string, dateStart: string, dateEnd: string) => ({
  type: 'HoldRoom' as const,
  data: { roomId: 'room-1', reservationId, dateStart, dateEnd },
});
const held = (reservationId: string, dateStart: string, dateEnd: string, nights: number): RoomEvent => ({
  type: 'RoomHeld',
  data: { roomId: 'room-1', reservationId, dateStart, dateEnd, totalPrice: nights * 12_000, currency: 'EUR' },
});
const heldA = held('r-a', '2026-12-01', '2026-12-04', 3);

describe('holdRoom', () => {
  it('holds free nights at nights × the nightly price', () => {
    given(roomDecider, [registered])
      .when(hold('r-a', '2026-12-01', '2026-12-04'), context)
      .then([heldA]);
  });

  it('refuses nights that overlap a hold or a booking, and accepts the departure day of another stay', () => {
    given(roomDecider, [registered, heldA])
      .when(hold('r-b', '2026-12-03', '2026-12-05'), context)
      .thenThrows('NIGHTS_UNAVAILABLE', 'held from 2026-12-01 to 2026-12-04');
    const booked: RoomEvent = { type: 'RoomHoldConfirmed', data: { roomId: 'room-1', reservationId: 'r-a' } };
    given(roomDecider, [registered, heldA, booked])
      .when(hold('r-b', '2026-11-30', '2026-12-02'), context)
      .thenThrows('NIGHTS_UNAVAILABLE', 'booked');
    given(roomDecider, [registered, heldA])
      .when(hold('r-b', '2026-12-04', '2026-12-05'), context)
      .then([held('r-b', '2026-12-04', '2026-12-05', 1)]);
  });

  it('refuses a second hold for the same reservation (a saga started twice)', () => {
    given(roomDecider, [registered, heldA])
      .when(hold('r-a', '2026-12-02', '2026-12-03'), context)
      .thenThrows('ALREADY_HELD');
  });

  it('refuses an unknown room, and nights that end before they start', () => {
    given(roomDecider)
      .when(hold('r-a', '2026-12-01', '2026-12-02'), context)
      .thenThrows('ROOM_NOT_FOUND');
    given(roomDecider, [registered])
      .when(hold('r-a', '2026-12-02', '2026-12-02'), context)
      .thenThrows('DATE_END_NOT_AFTER_START');
  });
});

describe('confirmRoomHold and releaseRoomHold', () => {
  it('books a hold once, and frees released nights', () => {
    const confirm = { type: 'ConfirmRoomHold' as const, data: { roomId: 'room-1', reservationId: 'r-a' } };
    given(roomDecider, [registered, heldA])
      .when(confirm, context)
      .then([{ type: 'RoomHoldConfirmed', data: confirm.data }]);
    const booked: RoomEvent = { type: 'RoomHoldConfirmed', data: confirm.data };
    given(roomDecider, [registered, heldA, booked]).when(confirm, context).thenThrows('HOLD_ALREADY_CONFIRMED');
    const release: RoomEvent = { type: 'RoomHoldReleased', data: confirm.data };
    const released = fold(roomDecider, [registered, heldA, release]);
    expect(isAvailable(released, '2026-12-01', '2026-12-04')).toBe(true);
    given(roomDecider, [registered])
      .when({ type: 'ReleaseRoomHold', data: confirm.data }, context)
      .thenThrows('HOLD_NOT_FOUND');
  });
});

describe('availability', () => {
  it('is false for an unknown room and for any range sharing a night with a hold', () => {
    const state = fold(roomDecider, [registered, heldA]);
    expect(isAvailable(roomDecider.initialState, '2026-12-01', '2026-12-02')).toBe(false);
    expect(isAvailable(state, '2026-12-03', '2026-12-10')).toBe(false);
    expect(isAvailable(state, '2026-12-04', '2026-12-10')).toBe(true);
    expect(isAvailable(state, '2026-11-25', '2026-12-01')).toBe(true);
  });

  it('overlap is symmetric and holds exactly when a night is shared', () => {
    const day = fc.integer({ min: 0, max: 60 });
    const iso = (n: number) => new Date(Date.UTC(2026, 11, 1 + n)).toISOString().slice(0, 10);
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 10 }), day, fc.integer({ min: 1, max: 10 }), (a, an, b, bn) => {
        const first = { dateStart: iso(a), dateEnd: iso(a + an) };
        const shared = Math.max(a, b) < Math.min(a + an, b + bn);
        expect(overlaps(first, iso(b), iso(b + bn))).toBe(shared);
        expect(overlaps({ dateStart: iso(b), dateEnd: iso(b + bn) }, first.dateStart, first.dateEnd)).toBe(shared);
      }),
    );
  });
});
