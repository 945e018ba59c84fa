/** The fault mode's decisions: validation, rates and limits, one decision per event, and the bus faults around a delivery. */
import { describe, expect, it } from '@jest/globals';
import { createFaults } from '../src/boot/faults';
import type { DeliveryContext, EventEnvelope } from '../src/eventbridge';

const envelope = (id: string, detail: Record<string, unknown>): EventEnvelope => ({
  version: '0',
  id,
  'detail-type': 'Commit',
  source: 'core.test',
  account: '000000000000',
  time: '2026-12-01T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});
const context = (event: EventEnvelope): DeliveryContext => ({
  ruleName: 'r',
  ruleArn: 'arn',
  eventId: event.id,
  event,
});

describe('the fault mode', () => {
  it('is off by default and refuses an unknown fault or a rate out of range, by code', () => {
    const faults = createFaults();
    expect(faults.inject('storeThrottling')).toBe(false);
    expect(() => faults.set({ notAFault: {} } as never)).toThrow(expect.objectContaining({ code: 'INVALID_FAULT' }));
    expect(() => faults.set({ notifierDown: { rate: 2 } })).toThrow(expect.objectContaining({ code: 'INVALID_FAULT' }));
    expect(() => faults.set({ notifierDown: { times: -1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_FAULT' }),
    );
  });

  it('injects at most `times` times, keeps one decision per key, and repeats its choices for a seed', () => {
    const faults = createFaults({ crashAfterWrite: { times: 2 } });
    expect([1, 2, 3].map(() => faults.inject('crashAfterWrite'))).toEqual([true, true, false]);
    faults.set({ deliveryDropped: { rate: 0.5 }, seed: 3 });
    const first = Array.from({ length: 20 }, (_, n) => faults.inject('deliveryDropped', `e-${n}`));
    expect(Array.from({ length: 20 }, (_, n) => faults.inject('deliveryDropped', `e-${n}`))).toEqual(first);
    faults.set({ deliveryDropped: { rate: 0.5 }, seed: 3 });
    expect(Array.from({ length: 20 }, (_, n) => faults.inject('deliveryDropped', `e-${n}`))).toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(0);
    expect(faults.injected().deliveryDropped).toBe(first.filter(Boolean).length);
  });

  it('fails every attempt of a dropped delivery with a retryable THROTTLING, and delivers a duplicate twice', async () => {
    const delivered: string[] = [];
    const faults = createFaults({ deliveryDropped: { times: 1 } });
    const deliver = faults.wrapDelivery(async (_arn, _input, ctx) => void delivered.push(ctx.eventId));
    const dropped = envelope('e-1', {});
    for (let attempt = 0; attempt < 3; attempt++)
      await expect(deliver('fn', dropped, context(dropped))).rejects.toMatchObject({
        code: 'THROTTLING',
        retryable: true,
      });
    faults.set({ duplicateDelivery: {} });
    const twice = envelope('e-2', {});
    await deliver('fn', twice, context(twice));
    expect(delivered).toEqual(['e-2', 'e-2']);
  });

  it('aims a bus fault at one target: deliveries to other targets of the same event go through once', async () => {
    const delivered: string[] = [];
    const faults = createFaults({ duplicateDelivery: { target: 'EventHandler' } });
    const deliver = faults.wrapDelivery(async (arn, _input, ctx) => void delivered.push(`${arn} ${ctx.eventId}`));
    const event = envelope('e-4', {});
    await deliver('arn:aws:states:us-east-1:000000000000:stateMachine:Saga', event, context(event));
    await deliver('arn:aws:lambda:us-east-1:000000000000:function:Core-EventHandler', event, context(event));
    expect(delivered).toEqual([
      'arn:aws:states:us-east-1:000000000000:stateMachine:Saga e-4',
      'arn:aws:lambda:us-east-1:000000000000:function:Core-EventHandler e-4',
      'arn:aws:lambda:us-east-1:000000000000:function:Core-EventHandler e-4',
    ]);
    expect(() => faults.set({ deliveryDropped: { target: 7 as never } })).toThrow(
      expect.objectContaining({ code: 'INVALID_FAULT' }),
    );
  });

  it('holds a delivery of a stream until the next one of that stream went first', async () => {
    const delivered: string[] = [];
    const faults = createFaults({ reorderStream: { times: 1, holdMs: 5_000 } });
    const deliver = faults.wrapDelivery(async (_arn, _input, ctx) => void delivered.push(ctx.eventId));
    const earlier = envelope('earlier', { streamId: 's-1' });
    const later = envelope('later', { streamId: 's-1' });
    const held = deliver('fn', earlier, context(earlier));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await deliver('fn', later, context(later));
    await held;
    expect(delivered).toEqual(['later', 'earlier']);
  });

  it('delivers after the deadline the event carries', async () => {
    const faults = createFaults({ deliveryAfterDeadline: {} });
    let deliveredAt = 0;
    const deliver = faults.wrapDelivery(async () => void (deliveredAt = Date.now()));
    const deadline = new Date(Date.now() + 200).toISOString();
    const event = envelope('e-3', { deadline });
    await deliver('fn', event, context(event));
    expect(deliveredAt).toBeGreaterThan(Date.parse(deadline));
  });
});
