import { Inject } from '@nestjs/common';
import type { createPolar } from '@polar-sh/sdk/2026-10';
import { POLAR_CLIENT, POLAR_RESOLVED_OPTIONS } from './polar.constants.js';

/** The official SDK client (`@polar-sh/sdk/2026-10`) the module builds once. */
export type PolarClient = ReturnType<typeof createPolar>;

/**
 * Injects the module's SDK client, for every API the services do not wrap. Calls made through it
 * get neither retries nor error mapping (wrap failures with `toPolarHttpException`).
 * @example constructor(@InjectPolar() private readonly polar: PolarClient) {}
 */
export const InjectPolar = (): ParameterDecorator & PropertyDecorator => Inject(POLAR_CLIENT);

/**
 * Injects the module options with every default applied (`PolarResolvedOptions`): read-only, and
 * holding the access token, so never log them.
 * @example constructor(@InjectPolarOptions() private readonly options: PolarResolvedOptions) {}
 */
export const InjectPolarOptions = (): ParameterDecorator & PropertyDecorator => Inject(POLAR_RESOLVED_OPTIONS);
