import { positiveInteger, positiveMilliseconds } from '../common/option-rules.js';
import { resolveStoreOption } from '../common/store-option.js';
import { failOption } from '../errors/polar-configuration.error.js';
import type { PolarWebhookDedupeStore } from '../interfaces/polar-webhook-dedupe-store.interface.js';
import type { PolarWebhooksConfig, PolarWebhooksOptions } from '../interfaces/polar-webhooks-options.interface.js';
import {
  DEFAULT_WEBHOOK_CLAIM_TTL_MS,
  DEFAULT_WEBHOOK_DEDUPE_MAX_ENTRIES,
  DEFAULT_WEBHOOK_DEDUPE_TTL_MS,
} from './webhooks.constants.js';

const DEDUPE_STORE_METHODS = ['isHandled', 'claim', 'markHandled', 'release'] as const;

/** Validates the `webhooks` options and applies every default (pure; runs once, at start-up). */
export function resolveWebhooksConfig(options: PolarWebhooksOptions | undefined, path: string): PolarWebhooksConfig {
  const given = options?.secrets;
  const secrets = Array.isArray(given) ? given : [given];
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret.trim() === '')) {
    failOption('webhooks.secrets', 'is required when the webhook route is registered (one or more whsec_… strings)');
  }
  // A newline carried over from an env file would otherwise fail every signature, silently.
  if ((secrets as string[]).some((secret) => /\s/.test(secret))) {
    failOption('webhooks.secrets', 'must not contain whitespace (a trailing newline?)');
  }
  const onUnknownEvent = options?.onUnknownEvent;
  if (onUnknownEvent !== undefined && typeof onUnknownEvent !== 'function') {
    failOption('webhooks.onUnknownEvent', 'must be a function');
  }
  const dedupe = options?.dedupe;
  if (dedupe !== undefined && dedupe !== false && (typeof dedupe !== 'object' || dedupe === null)) {
    failOption('webhooks.dedupe', 'must be false or an object');
  }
  return {
    path,
    secrets: [...(secrets as string[])],
    onUnknownEvent,
    dedupe:
      dedupe === false
        ? false
        : {
            store: resolveStoreOption<PolarWebhookDedupeStore>(
              dedupe?.store ?? 'memory',
              'webhooks.dedupe.store',
              DEDUPE_STORE_METHODS,
            ),
            ttlMs: positiveMilliseconds(dedupe?.ttlMs ?? DEFAULT_WEBHOOK_DEDUPE_TTL_MS, 'webhooks.dedupe.ttlMs'),
            claimTtlMs: positiveMilliseconds(
              dedupe?.claimTtlMs ?? DEFAULT_WEBHOOK_CLAIM_TTL_MS,
              'webhooks.dedupe.claimTtlMs',
            ),
            maxEntries: positiveInteger(
              dedupe?.maxEntries ?? DEFAULT_WEBHOOK_DEDUPE_MAX_ENTRIES,
              'webhooks.dedupe.maxEntries',
            ),
          },
  };
}
