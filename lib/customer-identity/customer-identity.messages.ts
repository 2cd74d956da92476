/** Wording of "who is the customer", in one place. Nothing here ever receives a token or secret. */
export const CUSTOMER_IDENTITY_MESSAGES = {
  unauthenticated: 'Sign in to open the billing portal: no signed-in user was found for this request.',
  forbidden: 'Forbidden resource',
  resolverFailed:
    'The billing portal could not identify the customer: the customer resolver failed (see the server log).',
  // `why` may be a whole sentence (a PolarInputException message): end with one full stop, not two.
  resolverInvalid: (why: string): string =>
    `The portal customer resolver returned an invalid value: ${why.replace(/\.$/, '')}.`,
  defaultResolverNoId:
    'The default customer resolver needs request.user.id (a string or a number); give the customer option to read your user differently.',
  appGuardFailed: (name: string): string => `The portal guard ${name} failed (see the server log).`,
  resolverThrewLog: 'The portal customer resolver threw',
  resolverTimedOut: (ms: number): string =>
    `The billing portal could not identify the customer: the customer resolver did not answer within ${ms} ms (customerTimeoutMs).`,
  guardTimedOut: (name: string, ms: number): string =>
    `The portal guard ${name} did not answer within ${ms} ms (customerTimeoutMs).`,
  guardThrewLog: (name: string): string => `The portal guard ${name} threw`,
} as const;
