import type { PolarWebhookDedupeStore } from './polar-webhook-dedupe-store.interface.js';

/** A well-signed event whose type this SDK version does not know (given to `onUnknownEvent`). */
export interface PolarUnknownWebhookEvent {
  /** The `webhook-id` header. */
  id: string;
  /** The `type` field of the payload, or `null` when it had none. */
  type: string | null;
  /** The parsed, verified JSON payload. */
  payload: unknown;
}

/** Static (module-definition time) settings of a route. */
export interface PolarRouteExtras {
  /** Decorators applied to the route handler, e.g. your `@Public()` or `@SkipThrottle()`. @default [] */
  routeDecorators?: MethodDecorator[];
}

/** Static (module-definition time) settings of the webhook route. */
export type PolarWebhooksRouteExtras = PolarRouteExtras;

/** Options of the webhook route (`POST /billing/webhooks`), which is off unless given. */
export interface PolarWebhooksOptions {
  /**
   * Route path. In `forRootAsync` give `webhooks: { path }` at the top level of the async options:
   * routes are fixed before the factory runs.
   * @default 'billing/webhooks'
   */
  path?: string;
  /** One signing secret (`whsec_…`) or several during a rotation; tried in order. Never logged. */
  secrets: string | string[];
  /**
   * Skip deliveries whose `webhook-id` was already handled successfully; `false` to run handlers on
   * every delivery.
   * @default { store: 'memory' }
   */
  dedupe?: PolarWebhookDedupeOptions | false;
  /**
   * Called for a well-signed event of a type this SDK version does not know; the delivery is
   * acknowledged (202) either way, and an error thrown here is logged, not answered.
   * @default undefined (a debug log line)
   */
  onUnknownEvent?: (event: PolarUnknownWebhookEvent) => void | Promise<void>;
}

/** Deduplication of deliveries on `webhook-id`. */
export interface PolarWebhookDedupeOptions {
  /**
   * `'memory'` (this process only), `'cache-manager'` (the `CACHE_MANAGER` of `@nestjs/cache-manager`,
   * shared when its store is), or your own store.
   * @default 'memory'
   */
  store?: 'memory' | 'cache-manager' | PolarWebhookDedupeStore;
  /** How long a handled id is remembered, in ms. @default 259200000 (72 h) */
  ttlMs?: number;
  /** Most ids the `'memory'` store keeps (oldest forgotten first). @default 10000 */
  maxEntries?: number;
  /**
   * How long a claim on a delivery in progress holds, in ms; a claim left by a crash expires after it.
   * Keep it above your slowest handler run.
   * @default 60000
   */
  claimTtlMs?: number;
}

/** The webhook options validated and with every default applied (`webhooks` of `PolarResolvedOptions`). */
export interface PolarWebhooksConfig {
  /** Route path, normalised. */
  path: string;
  /** Signing secrets, tried in order. Never logged. */
  secrets: string[];
  /** The hook for events of unknown type, if given. */
  onUnknownEvent: PolarWebhooksOptions['onUnknownEvent'];
  /** Deduplication on `webhook-id`, or `false` when off. */
  dedupe:
    | false
    | {
        store: 'memory' | 'cache-manager' | PolarWebhookDedupeStore;
        ttlMs: number;
        claimTtlMs: number;
        maxEntries: number;
      };
}
