import { registerAs } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, Matches, validateSync } from 'class-validator';
import type { PolarEnvironment, PolarModuleOptions } from '../interfaces/polar-module-options.interface.js';
import { invalidEnvMessage } from '../polar.messages.js';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';

/** The environment variables `polarConfig` reads. */
export class PolarEnvironmentVariables {
  /** Organization access token. Required. */
  @IsString({ message: 'must be a string' })
  @Matches(/^\S+$/, { message: 'must not contain whitespace' })
  POLAR_ACCESS_TOKEN!: string;

  /** `production` or `sandbox`. @default 'production' */
  @IsOptional()
  @IsIn(['production', 'sandbox'], { message: 'must be "production" or "sandbox"' })
  POLAR_ENVIRONMENT?: PolarEnvironment;

  /** API base URL (the emulator, a proxy); wins over POLAR_ENVIRONMENT. */
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_host: true },
    { message: 'must be an absolute http(s) URL, e.g. https://api.polar.sh' },
  )
  POLAR_BASE_URL?: string;
}

/**
 * Reads and validates Polar's environment variables; a missing or malformed one throws at start-up
 * with a message naming the variable (never its value). Empty strings count as unset.
 */
export function readPolarEnv(env: Record<string, string | undefined> = process.env): PolarModuleOptions {
  const pick = (name: keyof PolarEnvironmentVariables): string | undefined =>
    env[name] === undefined || env[name] === '' ? undefined : env[name];
  const values = plainToInstance(PolarEnvironmentVariables, {
    POLAR_ACCESS_TOKEN: pick('POLAR_ACCESS_TOKEN'),
    POLAR_ENVIRONMENT: pick('POLAR_ENVIRONMENT'),
    POLAR_BASE_URL: pick('POLAR_BASE_URL'),
  });
  if (values.POLAR_ACCESS_TOKEN === undefined) {
    throw new PolarConfigurationError(
      invalidEnvMessage('POLAR_ACCESS_TOKEN', 'is required (an organization access token, polar_oat_…)'),
    );
  }
  const [first] = validateSync(values);
  if (first) {
    const rule = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new PolarConfigurationError(invalidEnvMessage(first.property, rule));
  }
  const options: PolarModuleOptions = { accessToken: values.POLAR_ACCESS_TOKEN };
  if (values.POLAR_ENVIRONMENT) options.environment = values.POLAR_ENVIRONMENT;
  if (values.POLAR_BASE_URL) options.baseUrl = values.POLAR_BASE_URL;
  return options;
}

/**
 * `@nestjs/config` namespace `polar` built from POLAR_ACCESS_TOKEN, POLAR_ENVIRONMENT and
 * POLAR_BASE_URL.
 * @example PolarModule.forRootAsync({ imports: [ConfigModule.forFeature(polarConfig)], inject: [polarConfig.KEY], useFactory: (polar: ConfigType<typeof polarConfig>) => polar })
 */
export const polarConfig = registerAs('polar', (): PolarModuleOptions => readPolarEnv());
