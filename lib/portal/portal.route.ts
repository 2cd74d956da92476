import type { PolarRouteDefinition } from '../common/route-definition.js';
import type { PolarPortalOptions } from '../interfaces/polar-portal-options.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import { DEFAULT_PORTAL_PATH, POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import { POLAR_PORTAL_CONFIG, resolvePortalConfig } from './portal.config.js';
import { PolarPortalGuard } from './portal.guard.js';
import { PolarPortalHandler } from './portal.handler.js';
import { PolarPortalService } from './portal.service.js';
import { sessionReuseStoreProvider } from './session-reuse/session-reuse.provider.js';
import { PolarSessionReuse } from './session-reuse/session-reuse.service.js';

/** `GET /billing/portal`: opens the signed-in customer's Polar portal. Registered unless `portal: false`. */
export const portalRoute: PolarRouteDefinition<'portal'> = {
  key: 'portal',
  controllerName: 'PolarPortalController',
  defaultPath: DEFAULT_PORTAL_PATH,
  registeredByDefault: true,
  method: 'GET',
  handler: PolarPortalHandler,
  guards: [PolarPortalGuard],
  providers: [
    {
      provide: POLAR_PORTAL_CONFIG,
      useFactory: (options: PolarResolvedOptions) => options.portal,
      inject: [POLAR_RESOLVED_OPTIONS],
    },
    PolarPortalService,
    sessionReuseStoreProvider,
    PolarSessionReuse,
    PolarPortalHandler,
  ],
  resolveOptions: (options, path) => resolvePortalConfig((options ?? {}) as PolarPortalOptions, path),
};
