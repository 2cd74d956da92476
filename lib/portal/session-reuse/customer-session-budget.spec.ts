import { CustomerSessionBudget } from './customer-session-budget.js';
import { PolarConfigurationError } from '../../errors/polar-configuration.error.js';
import { resolveSessionReuseConfig } from './session-reuse.config.js';

const WINDOW = 45 * 60_000;

describe('CustomerSessionBudget', () => {
  it('allows the budget of new sessions per customer per window, then names the latest session', () => {
    const budget = new CustomerSessionBudget(2, WINDOW, 100);
    expect(budget.decide('ann', undefined, 0)).toEqual({ spend: true });
    budget.spend('ann', 's1', 0);
    expect(budget.decide('ann', undefined, 1)).toEqual({ spend: true });
    budget.spend('ann', 's2', 1);
    expect(budget.decide('ann', undefined, 2)).toEqual({ spend: false, latest: 's2' });
    // Another customer has its own budget; a new window starts a new count.
    expect(budget.decide('bob', undefined, 2)).toEqual({ spend: true });
    expect(budget.decide('ann', undefined, WINDOW)).toEqual({ spend: true });
  });

  it("adopts a shared store's count when it is ahead of this instance's", () => {
    const budget = new CustomerSessionBudget(2, WINDOW, 100);
    const stored = { v: 1, window_ends_at: WINDOW, spent: 2, latest: 'other-instance' };
    expect(budget.decide('ann', stored, 10)).toEqual({ spend: false, latest: 'other-instance' });
    expect(budget.decide('bob', { v: 1, window_ends_at: 5, spent: 9, latest: 'x' }, 10)).toEqual({ spend: true });
    expect(budget.decide('eve', { spent: 'lots' }, 10)).toEqual({ spend: true });
  });

  it('keeps at most maxRecords customers in memory', () => {
    const budget = new CustomerSessionBudget(1, WINDOW, 2);
    budget.spend('a', 'sa', 0);
    budget.spend('b', 'sb', 0);
    budget.spend('c', 'sc', 0);
    expect(budget.decide('a', undefined, 1)).toEqual({ spend: true });
    expect(budget.decide('c', undefined, 1)).toEqual({ spend: false, latest: 'sc' });
  });

  it('maxSessionsPerCustomer defaults to 3 and must be a positive integer', () => {
    expect(resolveSessionReuseConfig(true)).toMatchObject({ maxSessionsPerCustomer: 3 });
    for (const bad of [0, 1.5, -1, '3']) {
      expect(() => resolveSessionReuseConfig({ maxSessionsPerCustomer: bad as number })).toThrow(
        PolarConfigurationError,
      );
    }
  });
});
