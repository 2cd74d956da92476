/** Error wording of the module, in one place. No factory here ever receives a secret. */

/** A module option is missing or malformed (start-up). */
export const invalidOptionMessage = (option: string, rule: string): string =>
  `PolarModule: option "${option}" ${rule}.`;

/** An environment variable is missing or malformed (start-up). */
export const invalidEnvMessage = (variable: string, rule: string): string =>
  `Polar configuration: environment variable ${variable} ${rule}.`;

/** Input rejected before any request was sent. */
export const invalidInputMessage = (problems: string[]): string => `Invalid Polar input: ${problems.join('; ')}.`;

/** Messages of the Polar exceptions (fixed wording: nothing from Polar's answer is echoed). */
export const POLAR_MESSAGES = {
  notFound: 'Polar resource not found.',
  validation: 'Polar rejected the request as invalid.',
  duplicateCustomer: 'A Polar customer with this email or external ID already exists.',
  duplicateEmailOtherExternalId:
    'A Polar customer with this email already exists under another (or no) external ID; the email cannot be reused for this external ID.',
  unknownCustomer: 'The Polar customer does not exist.',
  conflict: 'Polar reported a conflict.',
  alreadySubscribed:
    'This customer already has an active subscription; change plans in the customer portal instead of buying another.',
  ambiguousExternalCustomer:
    'The external customer ID matches customers in several organizations reachable by this token.',
  authentication: (status: number, code: string | undefined, environment?: string): string =>
    `Polar refused this server's access token (${status}${code ? ` ${code}` : ''}): check the access token, its scopes (customers:read, customers:write, customer_sessions:write) and the environment${environment ? ` (configured: ${environment})` : ''}; sandbox and production tokens are separate.`,
  rateLimited: 'Polar rate limit reached; retry later.',
  upstreamStatus: (status: number): string => `Polar answered ${status}.`,
  upstreamServer: 'Polar answered with a server error.',
  network: 'Polar could not be reached.',
  malformedBody: 'Polar answered with a malformed body.',
  timeout: 'Polar did not answer in time.',
  unexpected: 'Unexpected failure while calling Polar.',
  reconcileLost: 'The Polar customer changed while it was being ensured; try again.',
} as const;

/** Wording of the shared store option (`'memory' | 'cache-manager' | object`), for every store. */
export const STORE_MESSAGES = {
  badStoreRule: (methods: readonly string[]): string =>
    `must be 'memory', 'cache-manager' or an object with ${methods.join(', ')} methods`,
  noCacheManager: (option: string): string =>
    invalidOptionMessage(
      option,
      "is 'cache-manager' but no CACHE_MANAGER provider was found; import CacheModule.register({ isGlobal: true }) " +
        "from @nestjs/cache-manager, or pass a store object, or use 'memory'",
    ),
} as const;
