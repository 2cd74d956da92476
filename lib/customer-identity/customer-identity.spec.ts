import { PolarPortalResolverException } from './customer-identity.exceptions.js';
import { requestUserCustomerResolver, toCustomerIdentity } from './customer-identity.js';

const resolveUser = (user: unknown) => requestUserCustomerResolver({ user }, undefined as never);

describe('requestUserCustomerResolver', () => {
  it.each([undefined, null, false])('no user (%p) → null', (user) => {
    expect(resolveUser(user)).toBeNull();
  });

  it('reads id, email and name', () => {
    expect(resolveUser({ id: 'u1', email: 'a@mailinator.com', name: 'A', password: 'x' })).toEqual({
      external_customer_id: 'u1',
      email: 'a@mailinator.com',
      name: 'A',
    });
  });

  it.each([
    [7, '7'],
    [BigInt('9007199254740993'), '9007199254740993'],
  ])('stringifies the id %p', (id, external) => {
    expect(resolveUser({ id })).toEqual({ external_customer_id: external });
  });

  it('ignores a non-string email or name', () => {
    expect(resolveUser({ id: 'u1', email: 3, name: '' })).toEqual({ external_customer_id: 'u1' });
  });

  it.each([{}, { id: '' }, { id: '  ' }, { id: {} }, { id: Number.NaN }, 'user-1'])(
    'a user without a usable id (%p) is a resolver error',
    (user) => {
      expect(() => resolveUser(user)).toThrow(PolarPortalResolverException);
    },
  );
});

describe('toCustomerIdentity', () => {
  it('keeps only the known fields', () => {
    expect(
      toCustomerIdentity({
        external_customer_id: 'u1',
        external_member_id: 'm1',
        email: 'a@mailinator.com',
        role: 'admin',
      }),
    ).toEqual({ external_customer_id: 'u1', external_member_id: 'm1', email: 'a@mailinator.com' });
  });

  it('reads the camelCase names of nestjs-polar 0.1 as their snake_case fields', () => {
    expect(toCustomerIdentity({ externalCustomerId: 'u1', externalMemberId: 'm1', password: 'x' })).toEqual({
      external_customer_id: 'u1',
      external_member_id: 'm1',
    });
    expect(toCustomerIdentity({ customerId: 'c1', memberId: 'm1' })).toEqual({ customer_id: 'c1', member_id: 'm1' });
  });

  it('treats null fields as absent', () => {
    expect(toCustomerIdentity({ customer_id: 'c1', external_customer_id: null, member_id: null })).toEqual({
      customer_id: 'c1',
    });
  });

  it.each([null, undefined])('%p → null (nobody signed in)', (value) => {
    expect(toCustomerIdentity(value)).toBeNull();
  });

  it.each<[unknown, RegExp]>([
    [{}, /exactly one of customer_id or external_customer_id/],
    [{ customer_id: 'a', external_customer_id: 'b' }, /exactly one/],
    [{ customerId: 'a', external_customer_id: 'b' }, /exactly one/],
    [{ customer_id: 42 }, /customer_id must be a non-empty string/],
    [{ externalCustomerId: ' ' }, /external_customer_id must be a non-empty string/],
    [{ external_customer_id: 'u1', member_id: 5 }, /member_id must be a non-empty string when given/],
    [[], /expected an object or null/],
    ['u1', /expected an object or null/],
  ])('refuses %p', (value, message) => {
    expect(() => toCustomerIdentity(value)).toThrow(message);
  });
});
