import { PolarPortalResolverException } from './portal.exceptions.js';
import { requestUserCustomerResolver, toPortalCustomer } from './portal-customer.js';

const resolveUser = (user: unknown) => requestUserCustomerResolver({ user }, undefined as never);

describe('requestUserCustomerResolver', () => {
  it.each([undefined, null, false])('no user (%p) → null', (user) => {
    expect(resolveUser(user)).toBeNull();
  });

  it('reads id, email and name', () => {
    expect(resolveUser({ id: 'u1', email: 'a@mailinator.com', name: 'A', password: 'x' })).toEqual({
      externalCustomerId: 'u1',
      email: 'a@mailinator.com',
      name: 'A',
    });
  });

  it.each([
    [7, '7'],
    [BigInt('9007199254740993'), '9007199254740993'],
  ])('stringifies the id %p', (id, external) => {
    expect(resolveUser({ id })).toEqual({ externalCustomerId: external });
  });

  it('ignores a non-string email or name', () => {
    expect(resolveUser({ id: 'u1', email: 3, name: '' })).toEqual({ externalCustomerId: 'u1' });
  });

  it.each([{}, { id: '' }, { id: '  ' }, { id: {} }, { id: Number.NaN }, 'user-1'])(
    'a user without a usable id (%p) is a resolver error',
    (user) => {
      expect(() => resolveUser(user)).toThrow(PolarPortalResolverException);
    },
  );
});

describe('toPortalCustomer', () => {
  it('keeps only the known fields', () => {
    expect(
      toPortalCustomer({ externalCustomerId: 'u1', externalMemberId: 'm1', email: 'a@mailinator.com', role: 'admin' }),
    ).toEqual({ externalCustomerId: 'u1', externalMemberId: 'm1', email: 'a@mailinator.com' });
  });

  it('treats null fields as absent', () => {
    expect(toPortalCustomer({ customerId: 'c1', externalCustomerId: null, memberId: null })).toEqual({
      customerId: 'c1',
    });
  });

  it.each([null, undefined])('%p → null (nobody signed in)', (value) => {
    expect(toPortalCustomer(value)).toBeNull();
  });

  it.each<[unknown, RegExp]>([
    [{}, /exactly one of customerId or externalCustomerId/],
    [{ customerId: 'a', externalCustomerId: 'b' }, /exactly one/],
    [{ customerId: 42 }, /customerId must be a non-empty string/],
    [{ externalCustomerId: ' ' }, /externalCustomerId must be a non-empty string/],
    [{ externalCustomerId: 'u1', memberId: 5 }, /memberId must be a non-empty string/],
    [[], /expected an object or null/],
    ['u1', /expected an object or null/],
  ])('refuses %p', (value, message) => {
    expect(() => toPortalCustomer(value)).toThrow(message);
  });
});
