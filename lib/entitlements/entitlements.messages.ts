/** Wording of the entitlement answers and log lines, in one place. None may carry a token or URL. */
const nameOf = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

export const ENTITLEMENT_MESSAGES = {
  unavailable:
    "The customer's billing state could not be read from Polar and no recent enough copy is cached; retry shortly.",
  refreshFailed: (error: unknown): string =>
    `Refreshing a customer's billing state from Polar failed (${nameOf(error)}); the entitlement policy applies.`,
  storeFailed: (operation: string, error: unknown): string =>
    `Customer-state store ${operation} failed (${nameOf(error)}); using this instance's copy or Polar.`,
  listenerFailed: 'A customer-state onChanged listener failed',
  misconfigured: 'An entitlement requirement names something the module options do not configure (see the server log).',
  refused: {
    subscription_required: 'An active subscription is required.',
    subscription_past_due: 'The subscription is past due: update the payment method to continue.',
    trial_not_allowed: 'A paid subscription is required; a trial does not give access here.',
    benefit_required: 'This feature is not part of the current purchase.',
    meter_balance_insufficient: 'Not enough balance left on this meter.',
    seat_required: "The team's plan includes this, but this member holds no seat on it: ask the team's admin for one.",
  },
} as const;

/** The `code` of a 402 answer: why the customer is not entitled. */
export type PolarEntitlementRefusalCode = keyof typeof ENTITLEMENT_MESSAGES.refused;
