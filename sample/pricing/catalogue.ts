import type { PolarPlans } from 'nestjs-polar';

/**
 * The plans the sample sells, from the environment: `POLAR_PRODUCT_PRO` is the Polar product id
 * of the Pro plan (with the emulator, `bootstrap` seeds the product and sets it). A plan without
 * a product id is not sold.
 */
export function samplePlans(env: NodeJS.ProcessEnv = process.env): PolarPlans {
  return env.POLAR_PRODUCT_PRO ? { pro: { products: [env.POLAR_PRODUCT_PRO] } } : {};
}

/** What the pricing page says about each plan (the price itself is read from Polar). */
export const PLAN_PITCH: Record<string, string> = {
  pro: 'Unlocks the Pro report on your home page.',
};
