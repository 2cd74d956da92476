/** Wording of the portal route, in one place. Nothing here ever receives a token or secret. */
export const PORTAL_MESSAGES = {
  unauthenticated: 'Sign in to open the billing portal: no signed-in user was found for this request.',
  forbidden: 'Forbidden resource',
  invalidReturnUrl: (reason: string): string =>
    `return_url was rejected: ${reason}. Give a path of this app starting with '/' (e.g. /account) or an absolute URL on an allowed origin.`,
  unknownCustomer: (how: string): string =>
    `No Polar customer matches this user (${how}). Create the customer first (CustomersService.ensure, e.g. at sign-up) or enable portal.createCustomerIfMissing with an email from the resolver.`,
  unknownCustomerNoEmail:
    'No Polar customer matches this user, and portal.createCustomerIfMissing cannot create one: the customer resolver returned no email (or no externalCustomerId).',
  memberRequired:
    'This Polar customer is a team customer: the portal needs to know which member is opening it. Return memberId or externalMemberId from the portal customer resolver.',
  unknownMember: 'The member returned by the portal customer resolver does not exist for this Polar customer.',
  resolverFailed:
    'The billing portal could not identify the customer: the customer resolver failed (see the server log).',
  // `why` may be a whole sentence (a PolarInputException message): end with one full stop, not two.
  resolverInvalid: (why: string): string =>
    `The portal customer resolver returned an invalid value: ${why.replace(/\.$/, '')}.`,
  defaultResolverNoId:
    'The default portal customer resolver needs request.user.id (a string or a number); give portal.customer to read your user differently.',
  appGuardFailed: (name: string): string => `The portal guard ${name} failed (see the server log).`,
} as const;
