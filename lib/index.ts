export type { PolarModuleOptions, PolarEnvironment } from './interfaces/polar-module-options.interface.js';
export type { PolarPortalOptions } from './interfaces/polar-portal-options.interface.js';
export type { PolarWebhooksOptions } from './interfaces/polar-webhooks-options.interface.js';
export { POLAR_CLIENT } from './polar.constants.js';
export * from './webhooks/index.js';
