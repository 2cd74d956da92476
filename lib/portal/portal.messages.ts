/** Wording of the portal route, in one place. Nothing here ever receives a token or secret. */
export const PORTAL_MESSAGES = {
  unknownCustomer: (how: string): string =>
    `No Polar customer matches this user (${how}). Create the customer first (CustomersService.ensure, e.g. at sign-up) or enable portal.createCustomerIfMissing with an email from the resolver.`,
  unknownCustomerNoEmail:
    'No Polar customer matches this user, and portal.createCustomerIfMissing cannot create one: the customer resolver returned no email (or no external_customer_id).',
  memberRequired:
    'This Polar customer is a team customer: the portal needs to know which member is opening it. Return member_id or external_member_id from the customer resolver.',
  unknownMember: 'The member returned by the portal customer resolver does not exist for this Polar customer.',
} as const;
