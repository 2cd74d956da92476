import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { resolvePlans } from './plans.config.js';

const A = '6f9a2a64-1111-4c3b-9a57-2f1d4e7c0a01';
const B = '6f9a2a64-2222-4c3b-9a57-2f1d4e7c0a02';

describe('resolvePlans', () => {
  it('keeps each plan with its products, frozen, and defaults to no plan', () => {
    const plans = resolvePlans({ pro: { products: [A, B] }, team_2: { products: [B] } });
    expect(plans).toEqual({
      pro: { name: 'pro', products: [A, B], seats: undefined, metadata: {} },
      team_2: { name: 'team_2', products: [B], seats: undefined, metadata: {} },
    });
    expect(Object.isFrozen(plans.pro?.products)).toBe(true);
    expect(resolvePlans(undefined)).toEqual({});
  });

  it('keeps seat bounds and metadata, frozen', () => {
    const plans = resolvePlans({ team: { products: [A], seats: { min: 2, max: 20 }, metadata: { tier: 'team' } } });
    expect(plans.team).toEqual({ name: 'team', products: [A], seats: { min: 2, max: 20 }, metadata: { tier: 'team' } });
    expect(Object.isFrozen(plans.team?.metadata)).toBe(true);
  });

  it.each([
    [{ 'pro plan': { products: [A] } }, 'plans.pro plan', 'letters, digits'],
    [{ pro: { products: [] } }, 'plans.pro.products', 'non-empty array'],
    [{ pro: { products: ['prod_123'] } }, 'plans.pro.products[0]', 'UUID'],
    [{ pro: { products: [A, A] } }, 'plans.pro.products', 'must not repeat'],
    [{ pro: null }, 'plans.pro', 'object with products'],
    [[{ products: [A] }], 'plans', 'object of plans'],
    [{ team: { products: [A], seats: { min: 0, max: 5 } } }, 'plans.team.seats', 'integers from 1 to 10000'],
    [{ team: { products: [A], seats: { min: 6, max: 5 } } }, 'plans.team.seats', 'min at most max'],
    [{ team: { products: [A], seats: { min: 1, max: 10_001 } } }, 'plans.team.seats', 'integers from 1'],
    [{ pro: { products: [A], metadata: { tier: null } } }, 'plans.pro.metadata', 'tier must be a string'],
  ])('refuses %j at start-up, naming %s', (plans, option, rule) => {
    expect(() => resolvePlans(plans as never)).toThrow(PolarConfigurationError);
    expect(() => resolvePlans(plans as never)).toThrow(new RegExp(`${option.replace(/[.[\]]/g, '\\$&')}.*${rule}`));
  });
});
