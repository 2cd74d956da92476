export type { PolarPortalResponseMode } from '../interfaces/polar-portal-options.interface.js';
export type {
  PolarCustomerByExternalId,
  PolarCustomerById,
  PolarCustomerIdentity,
  PolarCustomerResolution,
  PolarCustomerResolver,
  PolarCustomerResolverFn,
  PolarCustomerResolverOption,
  PolarPortalCustomer,
} from '../interfaces/polar-customer-resolver.interface.js';
export {
  PolarInvalidReturnUrlException,
  PolarPortalCustomerNotFoundException,
  PolarPortalMemberNotFoundException,
  PolarPortalMemberRequiredException,
  PolarPortalResolverException,
  PolarPortalUnauthorizedException,
} from './portal.exceptions.js';
export { PolarPortalConfigurationError } from './portal.config.js';
export { PORTAL_REDIRECT_STATUS } from './portal.handler.js';
export type { ReturnUrlRejectionRule } from './return-url.policy.js';
