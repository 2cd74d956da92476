import type { Type } from '@nestjs/common';
import { failOption } from '../errors/polar-configuration.error.js';
import type {
  PolarCustomerResolver,
  PolarCustomerResolverOption,
} from '../interfaces/polar-customer-resolver.interface.js';

/** True for a class (an injectable resolver), false for a plain or arrow function. */
export function isResolverClass(value: PolarCustomerResolverOption): value is Type<PolarCustomerResolver> {
  return typeof (value as { prototype?: { resolve?: unknown } }).prototype?.resolve === 'function';
}

/**
 * Validates the module's `customer` option (pure). The portal's own `portal.customer` (deprecated)
 * is taken when the module-level option is not given; both at once is a mistake.
 */
export function resolveCustomerResolverOption(
  moduleLevel: unknown,
  portalLevel: unknown,
): PolarCustomerResolverOption | undefined {
  if (moduleLevel !== undefined && portalLevel !== undefined) {
    return failOption('portal.customer', 'must not be given together with the module-level customer option');
  }
  const option = moduleLevel !== undefined ? 'customer' : 'portal.customer';
  const value = moduleLevel ?? portalLevel;
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    return failOption(option, 'must be a function (request, context) => customer, or a class with a resolve() method');
  }
  // A class without resolve() would otherwise be called as a function, failing on every request.
  const resolver = value as PolarCustomerResolverOption;
  if (!isResolverClass(resolver) && /^class\b/.test(Function.prototype.toString.call(resolver))) {
    return failOption(option, 'is a class without a resolve(request, context) method');
  }
  return resolver;
}
