import type { Provider, Type } from '@nestjs/common';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import { POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import { createPolarPortalController } from './portal.controller.js';
import { POLAR_PORTAL_CONFIG } from './portal.config.js';
import { PolarPortalService } from './portal.service.js';
import { PolarSessionReuse } from './session-reuse/session-reuse.service.js';
import { sessionReuseStoreProvider } from './session-reuse/session-reuse.provider.js';

/** Controllers and providers the portal route adds to PolarModule; nothing when `path` is false. */
export function portalRouteParts(path: string | false): { controllers: Type[]; providers: Provider[] } {
  if (path === false) {
    return { controllers: [], providers: [] };
  }
  return {
    controllers: [createPolarPortalController(path)],
    providers: [
      {
        provide: POLAR_PORTAL_CONFIG,
        // Resolved (and checked) with the module options, by resolvePortalConfig.
        useFactory: (options: PolarResolvedOptions) => options.portal,
        inject: [POLAR_RESOLVED_OPTIONS],
      },
      PolarPortalService,
      sessionReuseStoreProvider,
      PolarSessionReuse,
    ],
  };
}
