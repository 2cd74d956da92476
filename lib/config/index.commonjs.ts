import type { NestConfigPeer } from './polar.config.js';
import { createPolarConfig, isMissingNestConfig } from './polar.config.js';

export { readPolarEnv, PolarEnvironmentVariables } from './polar.config.js';
export type { PolarConfigNamespace } from './polar.config.js';

// CommonJS entry (the ESM one is index.ts): @nestjs/config is an optional peer, required only if installed.
function loadNestConfig(): NestConfigPeer | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous optional peer in CommonJS
    return require('@nestjs/config') as NestConfigPeer;
  } catch (error) {
    if (isMissingNestConfig(error)) return undefined;
    throw error;
  }
}

/**
 * `@nestjs/config` namespace `polar` built from POLAR_ACCESS_TOKEN, POLAR_ENVIRONMENT and POLAR_BASE_URL.
 * @example PolarModule.forRootAsync({ imports: [ConfigModule.forFeature(polarConfig)], inject: [polarConfig.KEY], useFactory: (polar: ConfigType<typeof polarConfig>) => polar })
 */
export const polarConfig = createPolarConfig(loadNestConfig());
