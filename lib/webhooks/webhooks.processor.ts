import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  Optional,
  type OnModuleInit,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { findAppCacheManager } from '../config/app-cache-manager.js';
import { describeThrown } from '../errors/describe-thrown.js';
import { CustomerLifecycle, type PolarCustomerDeletedEvent } from '../customers/customer-lifecycle.js';
import { PolarConfigurationError } from '../config/polar-options.resolver.js';
import type { PolarWebhooksOptions } from '../interfaces/polar-webhooks-options.interface.js';
import { POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import { PolarCacheManagerDedupeStore, type PolarCacheLike } from './cache-manager-dedupe.store.js';
import { PolarMemoryDedupeStore } from './memory-dedupe.store.js';
import type { PolarWebhookDedupeStore } from './webhook-dedupe-store.interface.js';
import { DEFAULT_WEBHOOK_CLAIM_TTL_MS, DEFAULT_WEBHOOK_DEDUPE_TTL_MS } from './webhooks.constants.js';
import { PolarWebhooksExplorer } from './webhooks.explorer.js';
import { webhookMessages } from './webhooks.messages.js';
import type { PolarWebhookDelivery } from './webhooks.types.js';
import { verifyPolarWebhook } from './webhooks.verifier.js';

/** A 2xx answer of the webhook route (failures are thrown as HttpExceptions). */
export interface PolarWebhookAnswer {
  status: 200 | 202;
  body: { received: true; duplicate?: true; handled?: false; reason?: 'unknown_event_type' | 'no_handler' };
}

/** The slice of the resolved module options this room reads. */
interface ResolvedOptionsWithWebhooks {
  webhooks?: PolarWebhooksOptions | false;
}

/** Verifies, deduplicates and dispatches one delivery; the controller only moves bytes in and out. */
@Injectable()
export class PolarWebhooksProcessor implements OnModuleInit {
  private readonly logger = new Logger('PolarWebhooks');
  private readonly secrets: string[];
  private readonly ttlMs: number;
  private readonly claimTtlMs: number;
  private store: PolarWebhookDedupeStore | null = null;

  constructor(
    @Inject(POLAR_RESOLVED_OPTIONS) private readonly resolved: ResolvedOptionsWithWebhooks,
    private readonly explorer: PolarWebhooksExplorer,
    private readonly moduleRef: ModuleRef,
    // Optional: the route parts can be mounted without PolarModule (its own tests do).
    @Optional() private readonly lifecycle?: CustomerLifecycle,
  ) {
    const options = this.options;
    const secrets = options ? (Array.isArray(options.secrets) ? options.secrets : [options.secrets]) : [];
    this.secrets = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length > 0);
    if (this.secrets.length === 0) throw new PolarConfigurationError(webhookMessages.noSecrets());
    // A newline carried over from an env file would otherwise fail every signature, silently.
    if (this.secrets.some((secret) => /\s/.test(secret))) {
      throw new PolarConfigurationError(webhookMessages.secretWhitespace());
    }
    if (options?.onUnknownEvent !== undefined && typeof options.onUnknownEvent !== 'function') {
      throw new PolarConfigurationError(webhookMessages.badHook());
    }
    const dedupe = options?.dedupe === false ? undefined : options?.dedupe;
    this.ttlMs = positive(dedupe?.ttlMs ?? DEFAULT_WEBHOOK_DEDUPE_TTL_MS, 'webhooks.dedupe.ttlMs');
    this.claimTtlMs = positive(dedupe?.claimTtlMs ?? DEFAULT_WEBHOOK_CLAIM_TTL_MS, 'webhooks.dedupe.claimTtlMs');
    const store = dedupe?.store;
    if (store !== undefined && store !== 'memory' && store !== 'cache-manager' && !isDedupeStore(store)) {
      throw new PolarConfigurationError(webhookMessages.badStore());
    }
  }

  private get options(): PolarWebhooksOptions | undefined {
    return this.resolved.webhooks || undefined;
  }

  onModuleInit(): void {
    const dedupe = this.options?.dedupe;
    if (dedupe === false) return;
    const store = dedupe?.store ?? 'memory';
    if (store === 'memory') {
      this.store = new PolarMemoryDedupeStore({ maxEntries: dedupe?.maxEntries });
    } else if (store === 'cache-manager') {
      const cache = findAppCacheManager<PolarCacheLike>(this.moduleRef);
      if (!cache) throw new PolarConfigurationError(webhookMessages.noCacheManager());
      this.store = new PolarCacheManagerDedupeStore(cache);
    } else {
      this.store = store;
    }
  }

  /** Handles one delivery given its exact raw bytes and Standard-Webhooks headers. */
  async process(rawBody: Uint8Array, headers: Record<string, string>): Promise<PolarWebhookAnswer> {
    const verification = await verifyPolarWebhook(rawBody, headers, this.secrets);
    const id = headers['webhook-id'] ?? '';
    switch (verification.kind) {
      case 'invalid-signature':
        throw new ForbiddenException(webhookMessages.badSignature(verification.reason));
      case 'invalid-payload':
        // Logged: a well-signed payload this module cannot read is Polar's or a proxy's bug, worth seeing.
        this.logger.error(webhookMessages.badPayloadLog(id, verification.reason));
        throw new BadRequestException(webhookMessages.badPayload(verification.reason));
      case 'unknown-type':
        await this.onUnknown(id, verification.type, verification.payload);
        return { status: 202, body: { received: true, handled: false, reason: 'unknown_event_type' } };
      case 'event':
        break;
    }
    const { event } = verification;
    // A customer deleted outside this app (the dashboard, another service) must lose what the
    // module caches for it, e.g. reused portal sessions, as one deleted through CustomersService does.
    if (event.type === 'customer.deleted') this.lifecycle?.notifyDeleted(deletedCustomerOf(event.data));
    const handlers = this.explorer.handlersFor(event.type);
    if (handlers.length === 0) {
      return { status: 202, body: { received: true, handled: false, reason: 'no_handler' } };
    }
    const delivery: PolarWebhookDelivery = {
      id,
      timestamp: new Date(Number(headers['webhook-timestamp']) * 1000),
      type: event.type,
    };

    const store = this.store;
    if (store) {
      const state = await this.guardStore(id, async () => {
        if (await store.isHandled(id)) return 'duplicate';
        if (!(await store.claim(id, this.claimTtlMs))) return 'in-progress';
        // Handled by another worker between the first look and the claim: let the claim go.
        if (await store.isHandled(id)) {
          await store.release(id);
          return 'duplicate';
        }
        return 'claimed';
      });
      if (state === 'duplicate') return { status: 200, body: { received: true, duplicate: true } };
      if (state === 'in-progress') throw new ConflictException(webhookMessages.inProgress(id));
    }

    for (const handler of handlers) {
      try {
        await handler.run(event, delivery);
      } catch (error) {
        this.logger.error(webhookMessages.handlerFailedLog(handler.name, event.type, id), describeThrown(error));
        if (store) {
          // Still a 500 for the handler; but until the claim expires, Polar's retries will be answered 409.
          await store.release(id).catch((releaseError: unknown) => {
            this.logger.error(webhookMessages.releaseFailedLog(id), describeThrown(releaseError));
          });
        }
        throw new InternalServerErrorException(webhookMessages.handlerFailed());
      }
    }
    // The handlers ran: a failure to record that only risks a second run on a retry, so it is logged, not answered.
    if (store) {
      await store.markHandled(id, this.ttlMs).catch((error: unknown) => {
        this.logger.error(webhookMessages.markFailedLog(id), describeThrown(error));
      });
    }
    return { status: 200, body: { received: true } };
  }

  private async guardStore<T>(id: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.logger.error(webhookMessages.storeFailedLog(id), describeThrown(error));
      throw new ServiceUnavailableException(webhookMessages.storeFailed());
    }
  }

  private async onUnknown(id: string, type: string | null, payload: unknown): Promise<void> {
    const hook = this.options?.onUnknownEvent;
    if (!hook) {
      this.logger.debug(webhookMessages.unknownEvent(type, id));
      return;
    }
    try {
      await hook({ id, type, payload });
    } catch (error) {
      this.logger.error(webhookMessages.unknownHookFailed(id), describeThrown(error));
    }
  }
}

function positive(value: number, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PolarConfigurationError(webhookMessages.badNumber(option));
  }
  return value;
}

function isDedupeStore(value: unknown): value is PolarWebhookDedupeStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Record<string, unknown>;
  return ['isHandled', 'claim', 'markHandled', 'release'].every((method) => typeof store[method] === 'function');
}

/** The ids of a deleted customer; Polar moves a soft-deleted customer's external id into metadata. */
function deletedCustomerOf(customer: {
  id: string;
  external_id?: string | null;
  metadata?: Record<string, unknown>;
}): PolarCustomerDeletedEvent {
  const kept = customer.metadata?.['__external_id'];
  const externalId = customer.external_id ?? (typeof kept === 'string' ? kept : undefined);
  return { customer_id: customer.id, ...(externalId ? { external_customer_id: externalId } : {}) };
}
