import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { describeThrown } from '../errors/describe-thrown.js';
import {
  CustomerLifecycle,
  type PolarCustomerDeletedEvent,
  type PolarCustomerStateChangedEvent,
} from '../customers/customer-lifecycle.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import type { PolarWebhookDedupeStore } from '../interfaces/polar-webhook-dedupe-store.interface.js';
import type { PolarWebhooksConfig } from '../interfaces/polar-webhooks-options.interface.js';
import { POLAR_RESOLVED_OPTIONS, POLAR_WEBHOOK_DEDUPE_STORE } from '../polar.constants.js';
import { PolarWebhooksExplorer } from './webhooks.explorer.js';
import { webhookMessages } from './webhooks.messages.js';
import type { PolarWebhookDelivery } from './webhooks.types.js';
import { PolarWebhookVerifier } from './webhooks.verifier.js';

/** A 2xx answer of the webhook route (failures are thrown as HttpExceptions). */
export interface PolarWebhookAnswer {
  status: 200 | 202;
  body: { received: true; duplicate?: true; handled?: false; reason?: 'unknown_event_type' | 'no_handler' };
}

/** Verifies, deduplicates and dispatches one delivery; the controller only moves bytes in and out. */
@Injectable()
export class PolarWebhooksProcessor {
  private readonly logger = new Logger('PolarWebhooks');
  private readonly options: PolarWebhooksConfig;
  private readonly verifier: PolarWebhookVerifier;
  private readonly store: PolarWebhookDedupeStore | null;
  private readonly ttlMs: number;
  private readonly claimTtlMs: number;

  constructor(
    @Inject(POLAR_RESOLVED_OPTIONS) resolved: PolarResolvedOptions,
    @Inject(POLAR_WEBHOOK_DEDUPE_STORE) store: PolarWebhookDedupeStore | null,
    private readonly explorer: PolarWebhooksExplorer,
    private readonly lifecycle: CustomerLifecycle,
  ) {
    // Registered only with the webhook route, whose options are then resolved (never false).
    this.options = resolved.webhooks as PolarWebhooksConfig;
    const { secrets, dedupe } = this.options;
    this.verifier = new PolarWebhookVerifier(secrets);
    this.store = dedupe ? store : null;
    this.ttlMs = dedupe ? dedupe.ttlMs : 0;
    this.claimTtlMs = dedupe ? dedupe.claimTtlMs : 0;
  }

  /** Handles one delivery given its exact raw bytes and Standard-Webhooks headers. */
  async process(rawBody: Uint8Array, headers: Record<string, string>): Promise<PolarWebhookAnswer> {
    const verification = this.verifier.verify(rawBody, headers);
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
    if (event.type === 'customer.deleted') this.lifecycle.notifyDeleted(deletedCustomerOf(event.data));
    // Likewise a change of what the customer paid for must reach the cached customer states, with
    // or without a handler of the app's: the cache refetches (never patches) on each of these.
    const billingCustomer = billingCustomerOf(event);
    if (billingCustomer) this.lifecycle.notifyStateChanged(billingCustomer);
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
    const hook = this.options.onUnknownEvent;
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

/** Event types after which a customer's state (subscriptions, grants, meters) may differ. */
const STATE_CHANGING_EVENT =
  /^(customer\.state_changed|subscription\.[a-z_]+|benefit_grant\.[a-z_]+|customer_seat\.[a-z_]+|order\.paid)$/;

/** The customer whose billing state the event may have changed, when it is one of those events. */
function billingCustomerOf(event: { type: string; data: unknown }): PolarCustomerStateChangedEvent | undefined {
  if (!STATE_CHANGING_EVENT.test(event.type)) return undefined;
  const data = event.data as { id?: unknown; external_id?: unknown; customer_id?: unknown; customer?: unknown };
  const customer = (typeof data.customer === 'object' && data.customer !== null ? data.customer : {}) as {
    id?: unknown;
    external_id?: unknown;
  };
  // customer.state_changed carries the customer itself; the others carry it as `customer`.
  const own = event.type === 'customer.state_changed';
  const id = own ? data.id : (data.customer_id ?? customer.id);
  const externalId = own ? data.external_id : customer.external_id;
  if (typeof id !== 'string') return undefined;
  return { customer_id: id, ...(typeof externalId === 'string' ? { external_customer_id: externalId } : {}) };
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
