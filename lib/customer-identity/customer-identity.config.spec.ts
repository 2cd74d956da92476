import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { resolveCustomerResolverOption } from './customer-identity.config.js';

class ClassResolver {
  resolve() {
    return null;
  }
}
class NoResolve {}
const fnResolver = () => null;

describe('resolveCustomerResolverOption', () => {
  it('takes the module-level resolver, else the deprecated portal.customer, else none (request.user)', () => {
    expect(resolveCustomerResolverOption(ClassResolver, undefined)).toBe(ClassResolver);
    expect(resolveCustomerResolverOption(undefined, fnResolver)).toBe(fnResolver);
    expect(resolveCustomerResolverOption(undefined, undefined)).toBeUndefined();
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['a string', 'user', undefined, /"customer" must be a function/],
    ['a class without resolve()', NoResolve, undefined, /"customer" is a class without a resolve/],
    ['a portal-level string', undefined, 42, /"portal.customer" must be a function/],
    ['both levels', fnResolver, fnResolver, /"portal.customer" must not be given together/],
  ])('%s → a PolarConfigurationError naming the option', (_name, moduleLevel, portalLevel, message) => {
    expect(() => resolveCustomerResolverOption(moduleLevel, portalLevel)).toThrow(PolarConfigurationError);
    expect(() => resolveCustomerResolverOption(moduleLevel, portalLevel)).toThrow(message);
  });
});
