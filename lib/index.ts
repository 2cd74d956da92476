// The public API of `nestjs-polar`, curated: named re-exports only, nothing internal.

// First: refuse to load beside the other format's build (see package-format.guard.ts).
import './package-format.guard.js';

// Module, options, injection
export { PolarModule } from './polar.module.js';
export type {
  PolarEnvironment,
  PolarModuleAsyncOptions,
  PolarModuleForRootOptions,
  PolarModuleOptions,
  PolarOptionsFactory,
  PolarResolvedOptions,
  PolarRouteShapeOptions,
} from './interfaces/polar-module-options.interface.js';
export type { PolarPortalOptions, PolarPortalResponseMode } from './interfaces/polar-portal-options.interface.js';
export type { PolarReturnUrlOptions } from './interfaces/polar-return-url-options.interface.js';
export type {
  PolarMetadata,
  PolarPlan,
  PolarPlans,
  PolarResolvedPlan,
  PolarResolvedPlans,
} from './interfaces/polar-plans.interface.js';
export type {
  PolarCheckoutMetadataFn,
  PolarCheckoutOptions,
  PolarPlanResolverFn,
} from './interfaces/polar-checkout-options.interface.js';
export type {
  PolarRouteExtras,
  PolarUnknownWebhookEvent,
  PolarWebhookDedupeOptions,
  PolarWebhooksOptions,
  PolarWebhooksRouteExtras,
} from './interfaces/polar-webhooks-options.interface.js';
export type {
  PolarSessionReuseOptions,
  PolarSessionReuseStore,
} from './interfaces/polar-session-reuse-options.interface.js';
export type { PolarCacheLike } from './interfaces/polar-cache.interface.js';
export { POLAR_CLIENT, POLAR_RESOLVED_OPTIONS } from './polar.constants.js';
export { InjectPolar, InjectPolarOptions, type PolarClient } from './polar.decorators.js';

// Start-up and request errors
export { PolarConfigurationError } from './errors/polar-configuration.error.js';
export {
  PolarAlreadySubscribedException,
  PolarAuthenticationException,
  PolarConflictException,
  PolarDuplicateCustomerException,
  PolarException,
  PolarInputException,
  PolarNotFoundException,
  PolarRateLimitException,
  PolarTimeoutException,
  PolarUnknownCustomerException,
  PolarUpstreamException,
  PolarValidationException,
  type PolarErrorDetail,
  type PolarExceptionBody,
  type PolarInputProblem,
} from './errors/polar.exceptions.js';
export { toPolarHttpException, type PolarErrorContext } from './errors/polar-error.mapper.js';
export { PolarExceptionFilter } from './errors/polar-exception.filter.js';

// Who the signed-in customer is
export { PolarCustomerIdentityService } from './customer-identity/customer-identity.service.js';
export type {
  PolarCustomerIdentity,
  PolarCustomerResolver,
  PolarCustomerResolverFn,
  PolarCustomerResolverOption,
  PolarPortalCustomer,
} from './interfaces/polar-customer-resolver.interface.js';
export {
  PolarPortalResolverException,
  PolarPortalUnauthorizedException,
} from './customer-identity/customer-identity.exceptions.js';

// Customers
export {
  CustomersService,
  type DeleteCustomerOptions,
  type PolarCustomer,
  type PolarCustomerPage,
  type PolarCustomerState,
} from './customers/customers.service.js';
export {
  CustomerLifecycle,
  type PolarCustomerDeletedEvent,
  type PolarCustomerDeletedListener,
} from './customers/customer-lifecycle.js';
export { PolarAddressDto } from './customers/dto/address.dto.js';
export { PolarCustomerOwnerDto } from './customers/dto/customer-owner.dto.js';
export { CreateCustomerDto } from './customers/dto/create-customer.dto.js';
export { UpdateCustomerByExternalIdDto, UpdateCustomerDto } from './customers/dto/update-customer.dto.js';
export { EnsureCustomerDto } from './customers/dto/ensure-customer.dto.js';
export { ListCustomersDto, type CustomerSortKey } from './customers/dto/list-customers.dto.js';
export { IsPolarMetadata } from './customers/dto/polar-metadata.validator.js';

// Customer-portal sessions and the portal route
export { SessionsService, type PolarCustomerSession } from './sessions/sessions.service.js';
export { CreateCustomerSessionDto, IsReturnUrl } from './sessions/dto/create-customer-session.dto.js';
export { PolarPortalConfigurationError } from './portal/portal.config.js';
export {
  PolarInvalidReturnUrlException,
  PolarPortalCustomerNotFoundException,
  PolarPortalMemberNotFoundException,
  PolarPortalMemberRequiredException,
} from './portal/portal.exceptions.js';
export type { ReturnUrlRejectionRule } from './return-url/return-url.policy.js';

// The checkout routes
export { PolarCheckoutConfigurationError } from './checkout/checkout.config.js';
export {
  PolarCheckoutNotFoundException,
  PolarCheckoutNotSucceededException,
  PolarCheckoutUnauthorizedException,
  PolarUnknownPlanException,
} from './checkout/checkout.exceptions.js';

// Entitlements: the cached customer state and the guards
export {
  PolarCustomerStateService,
  type PolarCustomerStateChange,
  type PolarCustomerStateListener,
  type PolarStateCustomer,
  type PolarStateReadPolicy,
} from './entitlements/customer-state.service.js';
export { PolarEntitlementState, type PolarPlanOrProduct } from './entitlements/entitlement-state.js';
export type {
  PolarCustomerStateDiff,
  PolarCustomerStateSnapshot,
  PolarEntitlementBenefit,
  PolarEntitlementMeter,
  PolarEntitlementSubscription,
} from './entitlements/customer-state.snapshot.js';
export { RequiresBenefit, RequiresMeterBalance, RequiresSubscription } from './entitlements/entitlements.decorators.js';
export type {
  PolarEntitlementPolicyOptions,
  RequiresBenefitOptions,
  RequiresMeterBalanceOptions,
  RequiresSubscriptionOptions,
} from './entitlements/entitlements.requirements.js';
export { PolarEntitlementGuard } from './entitlements/entitlement.guard.js';
export {
  PolarEntitlementMisconfiguredException,
  PolarEntitlementRedirectException,
  PolarEntitlementsUnavailableException,
  PolarPaymentRequiredException,
  type PolarPaymentRequiredBody,
} from './entitlements/entitlements.exceptions.js';
export type { PolarEntitlementRefusalCode } from './entitlements/entitlements.messages.js';
export type {
  PolarCustomerStateStore,
  PolarDownPolicy,
  PolarEntitlementsOptions,
} from './interfaces/polar-entitlements-options.interface.js';
export {
  POLAR_CUSTOMER_STATE_REFRESH,
  type PolarCustomerStateRefresh,
} from './interfaces/polar-customer-state-refresh.interface.js';

// Usage-based billing
export { PolarUsageRecorder } from './usage/usage.recorder.js';
export { TrackUsage, type PolarTrackUsageOptions } from './usage/track-usage.decorator.js';
export { PolarTrackUsageInterceptor } from './usage/track-usage.interceptor.js';
export { PolarRedisUsageBufferStore } from './usage/redis-usage-buffer.store.js';
export type {
  PolarUsageBufferStore,
  PolarUsageCustomer,
  PolarUsageEvent,
  PolarUsageInput,
  PolarUsageMetadata,
  PolarUsageOptions,
  PolarUsageRejection,
  PolarUsageStats,
} from './interfaces/polar-usage-options.interface.js';

// Webhooks
export { OnPolarEvent } from './webhooks/on-polar-event.decorator.js';
export { isPolarWebhookRoute } from './webhooks/webhooks.route-metadata.js';
export { POLAR_WEBHOOK_ROUTE_METADATA } from './webhooks/webhooks.constants.js';
export type { PolarWebhookDedupeStore } from './interfaces/polar-webhook-dedupe-store.interface.js';
export { PolarMemoryDedupeStore, type PolarMemoryDedupeStoreOptions } from './webhooks/memory-dedupe.store.js';
export {
  PolarCacheManagerDedupeStore,
  type PolarAtomicClaims,
  type PolarCacheManagerDedupeStoreOptions,
} from './webhooks/cache-manager-dedupe.store.js';
export type {
  PolarWebhookDelivery,
  PolarWebhookEvent,
  PolarWebhookEventOf,
  PolarWebhookEventSelector,
  PolarWebhookEventType,
  PolarWebhookHandlerFn,
} from './webhooks/webhooks.types.js';
