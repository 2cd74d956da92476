// Polar's `EmailStrDNS` (server/polar/kit/email.py) refuses what email-validator refuses: special-use and reserved
// names (`.test`, `.local`, …) and, with its deliverability check, domains that do not accept mail. Offline, the
// deliverability part knows only the example domains, which publish a null MX (their subdomains have no records).
const SPECIAL_USE_DOMAINS = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];
const NULL_MX_DOMAINS = ['example.com', 'example.net', 'example.org'];

/** Why Polar refuses mail to `domain` (lower case), or undefined when it is taken to accept mail. */
export type PolarEmailDomainProblem = { kind: 'special-use' } | { kind: 'null-mx'; reason: string };

export function polarEmailDomainProblem(domain: string): PolarEmailDomainProblem | undefined {
  const within = (name: string) => domain === name || domain.endsWith(`.${name}`);
  if (SPECIAL_USE_DOMAINS.some(within)) return { kind: 'special-use' };
  const nullMx = NULL_MX_DOMAINS.find(within);
  if (nullMx === undefined) return undefined;
  return {
    kind: 'null-mx',
    reason:
      domain === nullMx
        ? `The domain name ${domain} does not accept email.`
        : `The domain name ${domain} does not exist.`,
  };
}

/** The reason, in email-validator's words, for the module's 400 (undefined when Polar would take the address). */
export function polarEmailRefusal(email: string): string | undefined {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const problem = polarEmailDomainProblem(domain);
  if (problem === undefined) return undefined;
  return problem.kind === 'special-use'
    ? 'The part after the @-sign is a special-use or reserved name that cannot be used with email.'
    : problem.reason;
}
