import { metadataProblem } from '../customers/dto/polar-metadata.validator.js';
import { POLAR_ID_PATTERN } from '../common/option-rules.js';
import { failOption } from '../errors/polar-configuration.error.js';
import type {
  PolarPlan,
  PolarPlans,
  PolarResolvedPlan,
  PolarResolvedPlans,
} from '../interfaces/polar-plans.interface.js';

/** A plan's name: letters, digits, `-` and `_` (at most 64), starting with a letter or digit. */
export const PLAN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Polar's checkout takes at most 10 000 seats. */
export const MAX_PLAN_SEATS = 10_000;

/** Validates the module's `plans` option once, at start-up; undefined means no plan is configured. */
export function resolvePlans(plans: PolarPlans | undefined): PolarResolvedPlans {
  if (plans === undefined) return {};
  if (typeof plans !== 'object' || plans === null || Array.isArray(plans)) {
    return failOption('plans', 'must be an object of plans by name, e.g. { pro: { products: ["<product id>"] } }');
  }
  const resolved: Record<string, PolarResolvedPlan> = Object.create(null);
  for (const [name, plan] of Object.entries(plans)) {
    resolved[name] = resolvePlan(name, plan, `plans.${name}`, failOption);
  }
  return Object.freeze(resolved);
}

/**
 * Validates one plan (a configured one, or one a dynamic catalogue answered) and applies its
 * defaults. `fail(option, rule)` names `option` and never the values.
 */
export function resolvePlan(
  name: string,
  plan: PolarPlan,
  option: string,
  fail: (option: string, rule: string) => never,
): PolarResolvedPlan {
  if (!PLAN_NAME.test(name)) {
    fail(option, 'must be named with letters, digits, "-" or "_" (at most 64), starting with a letter or digit');
  }
  if (typeof plan !== 'object' || plan === null) fail(option, 'must be an object with products');
  const { products, seats, metadata = {} } = plan;
  if (!Array.isArray(products) || products.length === 0) {
    fail(`${option}.products`, 'must be a non-empty array of Polar product ids');
  }
  products.forEach((id, index) => {
    if (typeof id !== 'string' || !POLAR_ID_PATTERN.test(id)) {
      fail(`${option}.products[${index}]`, 'must be a Polar product id (a UUID)');
    }
  });
  if (new Set(products).size !== products.length) fail(`${option}.products`, 'must not repeat a product');
  if (seats !== undefined) {
    const bound = (value: unknown) =>
      Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_PLAN_SEATS;
    if (
      typeof seats !== 'object' ||
      seats === null ||
      !bound(seats.min) ||
      !bound(seats.max) ||
      seats.min > seats.max
    ) {
      fail(`${option}.seats`, `must be { min, max }: integers from 1 to ${MAX_PLAN_SEATS}, min at most max`);
    }
  }
  const metadataIssue = metadataProblem(metadata, `${option}.metadata`);
  if (metadataIssue !== undefined) fail(`${option}.metadata`, metadataIssue);
  return Object.freeze({
    name,
    products: Object.freeze([...products]),
    seats: seats === undefined ? undefined : Object.freeze({ min: seats.min, max: seats.max }),
    metadata: Object.freeze({ ...metadata }),
  });
}
