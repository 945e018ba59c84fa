import { describe, expect, it } from '@jest/globals';
import { fold } from '@core/runtime';
import { given, testContext } from '@core/runtime/testing';
import { customerDecider, type CustomerEvent } from '../src/index';

const context = testContext('2026-11-28T15:30:00Z');
const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId: 'c-1', email: 'Ada@Example.com', name: 'Ada' },
};
const change = (email: string | null, name: string | null) => ({
  type: 'ChangeCustomerDetails' as const,
  data: { customerId: 'c-1', email, name },
});

describe('registerCustomer', () => {
  it('registers a new customer', () => {
    given(customerDecider)
      .when({ type: 'RegisterCustomer', data: { ...registered.data, creditLine: null } }, context)
      .then([registered]);
  });
  it('refuses to register a customer id twice', () => {
    given(customerDecider, [registered])
      .when({ type: 'RegisterCustomer', data: { ...registered.data, creditLine: null } }, context)
      .thenThrows('CUSTOMER_ALREADY_EXISTS');
  });
});

describe('changeCustomerDetails and deactivateCustomer', () => {
  it('keeps what is not given and refuses a change that changes nothing', () => {
    given(customerDecider, [registered])
      .when(change(null, 'Ada L.'), context)
      .then([
        { type: 'CustomerDetailsChanged', data: { customerId: 'c-1', email: 'Ada@Example.com', name: 'Ada L.' } },
      ]);
    given(customerDecider, [registered]).when(change('Ada@Example.com', 'Ada'), context).thenThrows('NOTHING_CHANGED');
  });
  it('refuses an unknown or deactivated customer', () => {
    given(customerDecider).when(change(null, 'x'), context).thenThrows('CUSTOMER_NOT_FOUND');
    const deactivated: CustomerEvent = { type: 'CustomerDeactivated', data: { customerId: 'c-1' } };
    given(customerDecider, [registered, deactivated])
      .when({ type: 'DeactivateCustomer', data: { customerId: 'c-1' } }, context)
      .thenThrows('CUSTOMER_DEACTIVATED');
  });
});

describe('the email as a unique key', () => {
  const keysAfter = (events: CustomerEvent[]) => customerDecider.uniqueKeys?.(fold(customerDecider, events));

  it('is held, lower-cased, by an active customer, follows a change and is given up on deactivation', () => {
    expect(keysAfter([registered])).toEqual([{ key: 'email:ada@example.com', code: 'EMAIL_ALREADY_REGISTERED' }]);
    const changed: CustomerEvent = {
      type: 'CustomerDetailsChanged',
      data: { customerId: 'c-1', email: 'ada@lovelace.org', name: 'Ada' },
    };
    expect(keysAfter([registered, changed])).toEqual([
      { key: 'email:ada@lovelace.org', code: 'EMAIL_ALREADY_REGISTERED' },
    ]);
    expect(keysAfter([registered, { type: 'CustomerDeactivated', data: { customerId: 'c-1' } }])).toEqual([]);
    expect(keysAfter([])).toEqual([]);
  });
});
