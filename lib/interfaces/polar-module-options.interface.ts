import type { PolarPortalOptions } from './polar-portal-options.interface.js';
import type { PolarWebhooksOptions } from './polar-webhooks-options.interface.js';

/** Which Polar deployment the SDK talks to. */
export type PolarEnvironment = 'production' | 'sandbox';

/** Options of `PolarModule.forRoot()` / the factory result of `PolarModule.forRootAsync()`. */
export interface PolarModuleOptions {
  /** Organization access token (`polar_oat_…`). Required. Never logged. */
  accessToken: string;
  /**
   * Polar deployment. Sandbox and production tokens are separate.
   * @default 'production'
   */
  environment?: PolarEnvironment;
  /** API base URL without trailing slash; wins over `environment` (the emulator, a proxy). */
  baseUrl?: string;
  /**
   * Time allowed for one request to Polar, in milliseconds. A timeout answers 504.
   * @default 10000
   */
  timeoutMs?: number;
  /** Sends `Polar-Organization` for tokens that reach several organizations. */
  organizationId?: string;
  /**
   * How many times a read (GET) is retried on 429, 5xx or a network failure, honouring
   * `retry-after`. Writes are never retried blindly.
   * @default 2
   */
  readRetries?: number;
  /** The `GET /billing/portal` route; `false` to not register it. @default {} (registered) */
  portal?: PolarPortalOptions | false;
  /** The webhook route; off unless given. */
  webhooks?: PolarWebhooksOptions;
}
