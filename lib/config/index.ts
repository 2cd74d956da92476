import type { NestConfigPeer } from './polar.config.js';
import { createPolarConfig, isMissingNestConfig } from './polar.config.js';

export { readPolarEnv, PolarEnvironmentVariables } from './polar.config.js';
export type { PolarConfigNamespace } from './polar.config.js';

// ESM entry. @nestjs/config is an optional peer: load it only if installed, so readPolarEnv works
// without it. The CommonJS build's entry (index.commonjs.ts) does the same with require().
const peer: NestConfigPeer | undefined = await import('@nestjs/config').catch((error: unknown) => {
  if (isMissingNestConfig(error)) return undefined;
  throw error;
});

/**
 * `@nestjs/config` namespace `polar` built from POLAR_ACCESS_TOKEN, POLAR_ENVIRONMENT and POLAR_BASE_URL.
 * @example PolarModule.forRootAsync({ imports: [ConfigModule.forFeature(polarConfig)], inject: [polarConfig.KEY], useFactory: (polar: ConfigType<typeof polarConfig>) => polar })
 */
export const polarConfig = createPolarConfig(peer);
