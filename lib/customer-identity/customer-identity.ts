import type { PolarCustomerResolverFn, PolarPortalCustomer } from '../interfaces/polar-portal-options.interface.js';
import { PolarPortalResolverException } from './portal.exceptions.js';
import { PORTAL_MESSAGES } from './portal.messages.js';

/**
 * The default resolver: `request.user` as most Nest auth set-ups (Passport, custom guards) leave it.
 * Its `id` becomes the external customer id, so the app's own user id finds the Polar customer.
 */
export const requestUserCustomerResolver: PolarCustomerResolverFn = (request) => {
  const user: unknown = (request as { user?: unknown } | undefined)?.user;
  if (user === undefined || user === null || user === false) {
    return null;
  }
  const { id, email, name } = (typeof user === 'object' ? user : {}) as Record<string, unknown>;
  const usable =
    (typeof id === 'string' && id.trim() !== '') ||
    (typeof id === 'number' && Number.isFinite(id)) ||
    typeof id === 'bigint';
  if (!usable) {
    // A signed-in user whose shape we cannot read is a set-up mistake, not an anonymous visitor.
    throw new PolarPortalResolverException(PORTAL_MESSAGES.defaultResolverNoId);
  }
  return {
    externalCustomerId: String(id),
    ...(typeof email === 'string' && email !== '' ? { email } : {}),
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
  };
};

const OPTIONAL_STRINGS = ['memberId', 'externalMemberId', 'email', 'name'] as const;

/**
 * Checks what a resolver returned and keeps only the known fields, so a resolver that returns a
 * whole user record (password hash and all) never passes more than these on.
 */
export function toPortalCustomer(value: unknown): PolarPortalCustomer | null {
  const invalid = (why: string): never => {
    throw new PolarPortalResolverException(PORTAL_MESSAGES.resolverInvalid(why));
  };
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return invalid('expected an object or null');
  }
  const record = value as Record<string, unknown>;
  const present = (key: string): boolean => record[key] !== undefined && record[key] !== null;
  const nonEmpty = (key: string): boolean => typeof record[key] === 'string' && (record[key] as string).trim() !== '';
  if (present('customerId') === present('externalCustomerId')) {
    return invalid('exactly one of customerId or externalCustomerId must be given');
  }
  const idKey = present('customerId') ? 'customerId' : 'externalCustomerId';
  if (!nonEmpty(idKey)) {
    return invalid(`${idKey} must be a non-empty string`);
  }
  const customer: Record<string, string> = { [idKey]: record[idKey] as string };
  for (const key of OPTIONAL_STRINGS) {
    if (!present(key)) continue;
    if (!nonEmpty(key)) {
      return invalid(`${key} must be a non-empty string when given`);
    }
    customer[key] = record[key] as string;
  }
  return customer as unknown as PolarPortalCustomer;
}
