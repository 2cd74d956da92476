import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { failOption } from '../errors/polar-configuration.error.js';
import type { PolarUsageMetadata } from '../interfaces/polar-usage-options.interface.js';
import { POLAR_TRACK_USAGE, USAGE_NAME_MAX_LENGTH } from './usage.constants.js';
import { PolarTrackUsageInterceptor } from './track-usage.interceptor.js';

/** Options of `@TrackUsage(name, options)`. */
export interface PolarTrackUsageOptions {
  /**
   * The event's metadata: an object, or a function of the request (Express or Fastify) returning
   * one, called after the handler succeeded. @default {} (none)
   */
  metadata?: PolarUsageMetadata | ((request: any) => PolarUsageMetadata); // eslint-disable-line @typescript-eslint/no-explicit-any -- Express or Fastify request
}

/** What `@TrackUsage()` leaves on the handler. */
export interface PolarTrackUsageSpec {
  name: string;
  options: PolarTrackUsageOptions;
}

/**
 * Records one usage event named `name` for each request the handler answers successfully (it
 * returned without throwing and the status is below 400), for the customer the module's `customer`
 * resolver tells. Recording happens after the answer is produced and never changes it.
 * @example @TrackUsage('api_call', { metadata: (request) => ({ route: 'search' }) })
 */
export function TrackUsage(name: string, options: PolarTrackUsageOptions = {}): MethodDecorator & ClassDecorator {
  if (typeof name !== 'string' || name.trim() === '' || name.length > USAGE_NAME_MAX_LENGTH) {
    failOption('@TrackUsage(name)', `must be a string of 1 to ${USAGE_NAME_MAX_LENGTH} characters`);
  }
  const spec: PolarTrackUsageSpec = { name, options };
  return applyDecorators(SetMetadata(POLAR_TRACK_USAGE, spec), UseInterceptors(PolarTrackUsageInterceptor));
}
