import type {
  PolarCustomerIdentity,
  PolarCustomerResolverFn,
} from '../interfaces/polar-customer-resolver.interface.js';
import { PolarPortalResolverException } from './customer-identity.exceptions.js';
import { CUSTOMER_IDENTITY_MESSAGES } from './customer-identity.messages.js';

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
    throw new PolarPortalResolverException(CUSTOMER_IDENTITY_MESSAGES.defaultResolverNoId);
  }
  return {
    external_customer_id: String(id),
    ...(typeof email === 'string' && email !== '' ? { email } : {}),
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
  };
};

/** Each field of an identity, with the camelCase name nestjs-polar 0.1 used (still accepted). */
const FIELDS = [
  ['customer_id', 'customerId'],
  ['external_customer_id', 'externalCustomerId'],
  ['member_id', 'memberId'],
  ['external_member_id', 'externalMemberId'],
  ['email', 'email'],
  ['name', 'name'],
] as const;

/**
 * Checks what a resolver returned and keeps only the known fields, so a resolver that returns a
 * whole user record (password hash and all) never passes more than these on. camelCase names
 * (`externalCustomerId`) are read as their snake_case field.
 */
export function toCustomerIdentity(value: unknown): PolarCustomerIdentity | null {
  const invalid = (why: string): never => {
    throw new PolarPortalResolverException(CUSTOMER_IDENTITY_MESSAGES.resolverInvalid(why));
  };
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return invalid('expected an object or null');
  }
  const record = value as Record<string, unknown>;
  const given: Record<string, unknown> = {};
  for (const [field, alias] of FIELDS) {
    const fieldValue = record[field] ?? record[alias];
    if (fieldValue !== undefined && fieldValue !== null) given[field] = fieldValue;
  }
  if ('customer_id' in given === 'external_customer_id' in given) {
    return invalid('exactly one of customer_id or external_customer_id must be given');
  }
  const identity: Record<string, string> = {};
  for (const [field] of FIELDS) {
    if (!(field in given)) continue;
    const fieldValue = given[field];
    if (typeof fieldValue !== 'string' || fieldValue.trim() === '') {
      const isId = field === 'customer_id' || field === 'external_customer_id';
      return invalid(`${field} must be a non-empty string${isId ? '' : ' when given'}`);
    }
    identity[field] = fieldValue;
  }
  return identity as unknown as PolarCustomerIdentity;
}
