/**
 * A plan the app sells. Clients name a plan (`/billing/checkout/pro`), never a Polar product id:
 * the server maps the name to the products configured here. The checkout route sells a plan and
 * the entitlement guards check what a customer has against the same plans.
 */
export interface PolarPlan {
  /** Polar product ids (UUIDs) of this plan, e.g. its monthly and yearly products. At least one. */
  products: string[];
}

/** The app's plans, by name (`pro`, `team`, …): letters, digits, `-` and `_`, starting with a letter or digit. */
export type PolarPlans = Record<string, PolarPlan>;

/** The configured plans with every default applied, as the module resolved them. */
export type PolarResolvedPlans = Readonly<Record<string, Readonly<{ name: string; products: readonly string[] }>>>;
