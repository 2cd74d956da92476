export type { PolarModuleOptions, PolarEnvironment } from './interfaces/polar-module-options.interface.js';
export type { PolarPortalOptions } from './interfaces/polar-portal-options.interface.js';
export type { PolarWebhooksOptions } from './interfaces/polar-webhooks-options.interface.js';
export { POLAR_CLIENT } from './polar.constants.js';
export type {
  PolarModuleAsyncOptions,
  PolarModuleForRootOptions,
  PolarOptionsFactory,
  PolarResolvedOptions,
  PolarRouteShapeOptions,
} from './interfaces/polar-module-options.interface.js';
export { POLAR_RESOLVED_OPTIONS } from './polar.constants.js';
export { POLAR_MODULE_OPTIONS } from './polar.module-definition.js';
export { PolarModule } from './polar.module.js';
export { InjectPolar, type PolarClient } from './polar.decorators.js';
export { PolarConfigurationError } from './errors/polar-configuration.error.js';
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
export * from './customers/dto/index.js';
export { SessionsService, type PolarCustomerSession } from './sessions/sessions.service.js';
export * from './sessions/dto/index.js';
export * from './errors/index.js';
export * from './webhooks/index.js';
export * from './portal/index.js';
export type {
  PolarSessionReuseOptions,
  PolarSessionReuseStore,
} from './interfaces/polar-session-reuse-options.interface.js';
