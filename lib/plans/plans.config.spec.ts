import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { resolvePlans } from './plans.config.js';

const A = '6f9a2a64-1111-4c3b-9a57-2f1d4e7c0a01';
const B = '6f9a2a64-2222-4c3b-9a57-2f1d4e7c0a02';

describe('resolvePlans', () => {
  it('keeps each plan with its products, frozen, and defaults to no plan', () => {
    const plans = resolvePlans({ pro: { products: [A, B] }, team_2: { products: [B] } });
    expect(plans).toEqual({ pro: { name: 'pro', products: [A, B] }, team_2: { name: 'team_2', products: [B] } });
    expect(Object.isFrozen(plans.pro?.products)).toBe(true);
    expect(resolvePlans(undefined)).toEqual({});
  });

  it.each([
    [{ 'pro plan': { products: [A] } }, 'plans.pro plan', 'letters, digits'],
    [{ pro: { products: [] } }, 'plans.pro.products', 'non-empty array'],
    [{ pro: { products: ['prod_123'] } }, 'plans.pro.products[0]', 'UUID'],
    [{ pro: { products: [A, A] } }, 'plans.pro.products', 'must not repeat'],
    [{ pro: null }, 'plans.pro', 'object with products'],
    [[{ products: [A] }], 'plans', 'object of plans'],
  ])('refuses %j at start-up, naming %s', (plans, option, rule) => {
    expect(() => resolvePlans(plans as never)).toThrow(PolarConfigurationError);
    expect(() => resolvePlans(plans as never)).toThrow(new RegExp(`${option.replace(/[.[\]]/g, '\\$&')}.*${rule}`));
  });
});
