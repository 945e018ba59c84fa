import { describe, expect, it } from '@jest/globals';
import { testContext } from '@core/runtime/testing';
import { parseReservationCommand } from '../src/index';

const context = () => testContext('2026-11-28T10:00:00Z', 'res');
const create = (input: Record<string, unknown>) => parseReservationCommand('createReservation', { input }, context());
const valid = { userId: 'u-1', roomId: 'room-7', dateStart: '2026-12-01', dateEnd: '2026-12-03' };

describe('parsing mutations into commands', () => {
  it('gives a create command a new reservation id from the context', () => {
    expect(create(valid)).toEqual({
      streamId: 'res-1',
      command: { type: 'CreateReservation', data: { reservationId: 'res-1', ...valid } },
    });
  });

  it.each([
    [{ ...valid, dateStart: '2026-02-30' }, 'INVALID_DATE', 'dateStart is not a calendar day: 2026-02-30'],
    [{ ...valid, dateEnd: '03/12/2026' }, 'INVALID_DATE', 'dateEnd must be a date as YYYY-MM-DD'],
    [{ ...valid, userId: '' }, 'INVALID_ID', 'userId must be a non-empty id'],
    [{ ...valid, roomId: 'x'.repeat(129) }, 'INVALID_ID', 'roomId must be a non-empty id of at most 128'],
  ])('refuses malformed input %j with a typed error', (input, code, message) => {
    expect(() => create(input)).toThrow(
      expect.objectContaining({ name: 'ValidationError', code, message: expect.stringContaining(message) }),
    );
  });

  it('refuses a missing input and an unknown mutation', () => {
    expect(() => parseReservationCommand('createReservation', {}, context())).toThrow(
      expect.objectContaining({ code: 'MISSING_INPUT' }),
    );
    expect(() => parseReservationCommand('deleteEverything', { input: {} }, context())).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_COMMAND' }),
    );
  });

  it('targets the given reservation on cancel and limits the reason', () => {
    expect(parseReservationCommand('cancelReservation', { input: { id: 'r-9' } }, context())).toEqual({
      streamId: 'r-9',
      command: { type: 'CancelReservation', data: { reservationId: 'r-9', reason: null } },
    });
    expect(() =>
      parseReservationCommand('cancelReservation', { input: { id: 'r-9', reason: 'x'.repeat(501) } }, context()),
    ).toThrow(expect.objectContaining({ code: 'INVALID_REASON' }));
  });
});
