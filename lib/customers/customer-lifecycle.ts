import { Injectable, Logger } from '@nestjs/common';

/** A customer was deleted through this module (or reported deleted, e.g. by a webhook). */
export interface PolarCustomerDeletedEvent {
  /** Set when deleted by Polar id. */
  customer_id?: string;
  /** Set when deleted by external id. */
  external_customer_id?: string;
}

/** Listener of `CustomerLifecycle.onDeleted()`; may be async. Its failures are logged, never thrown. */
export type PolarCustomerDeletedListener = (event: PolarCustomerDeletedEvent) => void | Promise<void>;

/** A verified webhook says a customer's billing state may have changed (subscription, grant, order, state). */
export interface PolarCustomerStateChangedEvent {
  customer_id: string;
  external_customer_id?: string;
}

/** Listener of `CustomerLifecycle.onStateChanged()`; may be async. Its failures are logged, never thrown. */
export type PolarCustomerStateChangedListener = (event: PolarCustomerStateChangedEvent) => void | Promise<void>;

/**
 * In-process notifications about customers, so caches (e.g. reused portal sessions) can forget
 * a deleted customer at once.
 */
@Injectable()
export class CustomerLifecycle {
  private readonly logger = new Logger('PolarCustomerLifecycle');
  private readonly deletedListeners = new Set<PolarCustomerDeletedListener>();
  private readonly stateListeners = new Set<PolarCustomerStateChangedListener>();

  /** Subscribes to deletions; returns the unsubscribe function. */
  onDeleted(listener: PolarCustomerDeletedListener): () => void {
    this.deletedListeners.add(listener);
    return () => this.deletedListeners.delete(listener);
  }

  /** Tells every listener a customer is gone. A failing listener cannot undo or fail the deletion. */
  notifyDeleted(event: PolarCustomerDeletedEvent): void {
    this.notify(this.deletedListeners, event);
  }

  /** Subscribes to "this customer's billing state may have changed"; returns the unsubscribe function. */
  onStateChanged(listener: PolarCustomerStateChangedListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Tells every listener a customer's state may have changed. A failing listener cannot fail the delivery. */
  notifyStateChanged(event: PolarCustomerStateChangedEvent): void {
    this.notify(this.stateListeners, event);
  }

  private notify<E>(listeners: Set<(event: E) => void | Promise<void>>, event: E): void {
    for (const listener of listeners) {
      try {
        const result = listener(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.report(error));
      } catch (error) {
        this.report(error);
      }
    }
  }

  private report(error: unknown): void {
    this.logger.error(`A customer lifecycle listener failed: ${error instanceof Error ? error.name : typeof error}`);
  }
}
