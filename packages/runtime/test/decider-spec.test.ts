import { describe, expect, it } from '@jest/globals';
import { given, testContext } from '../src/testing';
import { counterDecider } from './support/counter';

const context = testContext('2026-11-28T10:00:00Z');

describe('given/when/then', () => {
  const decider = counterDecider();

  it('passes when the decided events equal the expected ones, whatever the key order', () => {
    expect(() =>
      given(decider)
        .when({ type: 'Add', data: { amount: 2, note: 'x' } }, context)
        .then([{ data: { note: 'x', amount: 2 }, type: 'Added' }]),
    ).not.toThrow();
  });

  it('fails when an expected key is undefined but the decided event lacks it, or the other way round', () => {
    expect(() =>
      given(decider)
        .when({ type: 'Add', data: { amount: 2 } }, context)
        .then([{ type: 'Added', data: { amount: 2, note: undefined } }]),
    ).toThrow(/decided events differ/);
    expect(() =>
      given(decider)
        .when({ type: 'Add', data: { amount: 2, note: undefined } }, context)
        .then([{ type: 'Added', data: { amount: 2 } }]),
    ).toThrow(/note: undefined/);
  });

  it('fails on a different value and names both sides', () => {
    expect(() =>
      given(decider)
        .when({ type: 'Add', data: { amount: 2 } }, context)
        .then([{ type: 'Added', data: { amount: 3 } }]),
    ).toThrow(/expected: \[ \{ type: 'Added', data: \{ amount: 3 \} \} \]/);
  });

  it('checks a refusal by its code', () => {
    expect(() =>
      given(decider)
        .when({ type: 'Add', data: { amount: -1 } }, context)
        .thenThrows('BELOW_ZERO'),
    ).not.toThrow();
    expect(() =>
      given(decider)
        .when({ type: 'Add', data: { amount: -1 } }, context)
        .thenThrows('OTHER'),
    ).toThrow(/expected error code OTHER, got BELOW_ZERO/);
  });
});
