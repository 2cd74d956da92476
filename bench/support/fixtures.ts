import { createHash } from 'node:crypto';

/** One customer the fake upstream knows, and the header value a contender resolves it from. */
export interface BenchCustomer {
  id: string;
  externalId: string;
  email: string;
}

/** The request header bench apps trust as the signed-in user (bench only: no auth in front). */
export const BENCH_CUSTOMER_HEADER = 'x-bench-customer';

/** Organization token the fake upstream accepts. */
export const BENCH_ACCESS_TOKEN = 'polar_oat_benchbenchbenchbenchbenchbenchbenchbench';

export const BENCH_ORGANIZATION_ID = '5b1a7f0e-3c39-4b7a-9d7e-0e6b7f3d2c11';

/** Every bench customer holds one active subscription to this product (the entitlement contenders' plan). */
export const BENCH_PRODUCT_ID = '0d3f6c1e-8a7b-4c2d-9e1f-3a5b7c9d1e2f';

/** A version-4 UUID derived from a seed, so upstream and load generator agree without talking. */
function uuid4From(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The customers the load cycles through. Every contender sees the same sequence, so the reuse
 * contender's upstream calls per request show "repeat visits" by a realistic set of users.
 */
export function benchCustomers(count = 100): BenchCustomer[] {
  return Array.from({ length: count }, (_, i) => ({
    id: uuid4From(`bench-customer-${i}`),
    externalId: `bench-user-${i}`,
    email: `bench-user-${i}@mailinator.com`,
  }));
}
