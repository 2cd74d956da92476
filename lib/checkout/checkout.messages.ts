/** Wording of the checkout routes, in one place. Nothing here ever receives a token, URL or secret. */
export const CHECKOUT_MESSAGES = {
  unauthenticated: 'Sign in to buy a plan: no signed-in user was found for this request.',
  unknownPlan: (name: string | undefined): string =>
    name === undefined ? 'No such plan is sold here.' : `No plan named "${name}" is sold here.`,
  alreadySubscribedJson:
    'This customer already has an active subscription Polar would not let them add to: change plans in the customer portal (GET the portal route) instead of buying another.',
  planResolverLog: 'The checkout plan resolver (checkout.resolvePlan) threw',
  planResolverFailed: 'The checkout could not find the plan: checkout.resolvePlan failed (see the server log).',
  planResolverTimedOut: (ms: number): string =>
    `The checkout could not find the plan: checkout.resolvePlan did not answer within ${ms} ms (customerTimeoutMs).`,
  planResolverInvalid: (rule: string): string => `checkout.resolvePlan returned an invalid plan: ${rule}.`,
  metadataLog: 'The checkout metadata hook (checkout.metadata) threw',
  metadataFailed: 'The checkout could not be prepared: checkout.metadata failed (see the server log).',
  metadataTimedOut: (ms: number): string =>
    `The checkout could not be prepared: checkout.metadata did not answer within ${ms} ms (customerTimeoutMs).`,
  metadataInvalid: (problem: string): string => `The checkout metadata is invalid: ${problem}.`,
  noOrigin: 'the app origin could not be derived from this request (configure checkout.appOrigin)',
  checkoutNotFound: 'No checkout of yours has this id.',
  notSucceeded: (status: string): string =>
    status === 'confirmed'
      ? 'The payment of this checkout is still being processed; reload this page in a moment.'
      : `This checkout has not succeeded (its status is ${status}).`,
  refreshFailedLog: 'Refreshing the customer state after a checkout failed; the app page may show stale state',
  seatsNotAllowed: (plan: string): string => `seats cannot be chosen for the plan ${plan}`,
  seatsOutOfBounds: (min: number, max: number): string => `seats must be an integer from ${min} to ${max}`,
  repeatedField: (field: string): string => `${field} must be given once (in the query or in the form, not both)`,
} as const;
