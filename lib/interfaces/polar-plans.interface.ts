/** Polar metadata: string (1–500 chars), number or boolean values, at most 50 keys of 1–40 chars. */
export type PolarMetadata = Record<string, string | number | boolean>;

/**
 * A plan the app sells. Clients name a plan (`/billing/checkout/pro`), never a Polar product id:
 * the server maps the name to the products configured here. The checkout route sells a plan and
 * the entitlement guards check what a customer has against the same plans.
 */
export interface PolarPlan {
  /** Polar product ids (UUIDs) of this plan, e.g. its monthly and yearly products. At least one. */
  products: string[];
  /**
   * Seats a checkout of this plan may ask for (`?seats=`), for seat-based prices; without it a
   * request naming seats is refused. Polar checks its own tiers on top.
   * @default undefined (no seats parameter)
   */
  seats?: { min: number; max: number };
  /** Metadata put on every checkout of this plan (the app's own, besides `checkout.metadata`). @default {} */
  metadata?: PolarMetadata;
}

/** The app's plans, by name (`pro`, `team`, …): letters, digits, `-` and `_`, starting with a letter or digit. */
export type PolarPlans = Record<string, PolarPlan>;

/** One plan with every default applied, as the module resolved it (frozen). */
export type PolarResolvedPlan = Readonly<{
  name: string;
  products: readonly string[];
  seats: Readonly<{ min: number; max: number }> | undefined;
  metadata: Readonly<PolarMetadata>;
}>;

/** The configured plans with every default applied, as the module resolved them. */
export type PolarResolvedPlans = Readonly<Record<string, PolarResolvedPlan>>;
