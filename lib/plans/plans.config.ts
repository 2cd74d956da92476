import { POLAR_ID_PATTERN } from '../common/option-rules.js';
import { failOption } from '../errors/polar-configuration.error.js';
import type { PolarPlans, PolarResolvedPlans } from '../interfaces/polar-plans.interface.js';

const PLAN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Validates the module's `plans` option once, at start-up; undefined means no plan is configured. */
export function resolvePlans(plans: PolarPlans | undefined): PolarResolvedPlans {
  if (plans === undefined) return {};
  if (typeof plans !== 'object' || plans === null || Array.isArray(plans)) {
    return failOption('plans', 'must be an object of plans by name, e.g. { pro: { products: ["<product id>"] } }');
  }
  const resolved: Record<string, { name: string; products: readonly string[] }> = Object.create(null);
  for (const [name, plan] of Object.entries(plans)) {
    if (!PLAN_NAME.test(name)) {
      failOption(
        `plans.${name}`,
        'must be named with letters, digits, "-" or "_" (at most 64), starting with a letter or digit',
      );
    }
    if (typeof plan !== 'object' || plan === null) failOption(`plans.${name}`, 'must be an object with products');
    const { products } = plan;
    if (!Array.isArray(products) || products.length === 0) {
      failOption(`plans.${name}.products`, 'must be a non-empty array of Polar product ids');
    }
    products.forEach((id, index) => {
      if (typeof id !== 'string' || !POLAR_ID_PATTERN.test(id)) {
        failOption(`plans.${name}.products[${index}]`, 'must be a Polar product id (a UUID)');
      }
    });
    if (new Set(products).size !== products.length) failOption(`plans.${name}.products`, 'must not repeat a product');
    resolved[name] = Object.freeze({ name, products: Object.freeze([...products]) });
  }
  return Object.freeze(resolved);
}
