import { discountAmount, isRepetitionExpired, polarRound, type StoredDiscount } from './discounts.js';

function discount(fields: Partial<StoredDiscount>): StoredDiscount {
  return {
    id: '7b5a3f4e-2c1d-4e8f-9a6b-0c1d2e3f4a5b',
    created_at: '2026-10-01T00:00:00.000Z',
    modified_at: null,
    deleted_at: null,
    type: 'percentage',
    duration: 'once',
    duration_in_months: null,
    amounts: null,
    basis_points: 1000,
    name: 'Test',
    code: null,
    starts_at: null,
    ends_at: null,
    max_redemptions: null,
    max_redemptions_per_customer: null,
    redemptions_count: 0,
    organization_id: '1dbfc517-0bbf-4301-9ba8-555ca42b9737',
    product_ids: [],
    metadata: {},
    ...fields,
  };
}

describe('discount pricing (Polar models/discount.py)', () => {
  it('polar_round takes .5 away from zero, unlike Python round()', () => {
    expect([polarRound(8.5), polarRound(9.5), polarRound(-8.5), polarRound(8.49), polarRound(0.5)]).toEqual([
      9, 10, -9, 8, 1,
    ]);
  });

  it('a percentage is rounded once, on the whole amount', () => {
    expect(discountAmount(discount({ basis_points: 1500 }), 1030)).toBe(155);
    expect(discountAmount(discount({ basis_points: 2500 }), 1999)).toBe(500);
    expect(discountAmount(discount({ basis_points: 10000 }), 1234)).toBe(1234);
    expect(discountAmount(discount({ basis_points: 1 }), 49)).toBe(0);
  });

  it('a fixed discount is capped at the amount and needs the currency', () => {
    const fixed = discount({ type: 'fixed', basis_points: null, amounts: { usd: 500 } });
    expect(discountAmount(fixed, 300)).toBe(300);
    expect(discountAmount(fixed, 2000)).toBe(500);
    expect(discountAmount(fixed, 2000, 'eur')).toBe(0);
    expect(discountAmount(fixed, 0)).toBe(0);
  });

  it('repetition: once the first period only, forever never, repeating N calendar months', () => {
    const applied = '2026-01-31T12:00:00.000Z';
    expect(isRepetitionExpired(discount({ duration: 'once' }), applied, applied)).toBe(false);
    expect(isRepetitionExpired(discount({ duration: 'once' }), applied, '2026-02-28T12:00:00.000Z')).toBe(true);
    expect(isRepetitionExpired(discount({ duration: 'forever' }), applied, '2036-01-31T12:00:00.000Z')).toBe(false);
    const quarter = discount({ duration: 'repeating', duration_in_months: 3 });
    // Three monthly periods from Jan 1: Jan, Feb, Mar; April's is past Jan 1 + 2 months.
    expect(isRepetitionExpired(quarter, '2026-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z')).toBe(false);
    expect(isRepetitionExpired(quarter, '2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z')).toBe(true);
    // relativedelta clamps: Jan 31 + 1 month is Feb 28, so a 2-month discount is over for a period starting Mar 1.
    const two = discount({ duration: 'repeating', duration_in_months: 2 });
    expect(isRepetitionExpired(two, applied, '2026-02-28T12:00:00.000Z')).toBe(false);
    expect(isRepetitionExpired(two, applied, '2026-03-01T00:00:00.000Z')).toBe(true);
    const yearly = discount({ duration: 'repeating', duration_in_months: 12 });
    expect(isRepetitionExpired(yearly, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')).toBe(true);
  });
});
