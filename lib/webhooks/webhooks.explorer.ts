import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { POLAR_WEBHOOK_HANDLER_METADATA } from './webhooks.constants.js';
import type { PolarWebhookDelivery, PolarWebhookEvent, PolarWebhookEventSelector } from './webhooks.types.js';

/** One discovered `@OnPolarEvent()` method, bound to its provider instance. */
export interface PolarWebhookHandler {
  /** `ClassName.methodName`, for logs. */
  name: string;
  run(event: PolarWebhookEvent, delivery: PolarWebhookDelivery): Promise<unknown>;
}

/**
 * Finds `@OnPolarEvent()` methods on every provider through DiscoveryService and MetadataScanner,
 * reading method metadata only (no controller metadata is touched or rewritten).
 */
@Injectable()
export class PolarWebhooksExplorer implements OnModuleInit {
  private readonly logger = new Logger('PolarWebhooks');
  private readonly byType = new Map<PolarWebhookEventSelector, PolarWebhookHandler[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    this.byType.clear();
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.isAlias) continue;
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const prototype: object | null = instance
        ? Object.getPrototypeOf(instance)
        : ((wrapper.metatype as { prototype?: object } | null)?.prototype ?? null);
      if (!prototype || typeof prototype !== 'object') continue;
      const methods = this.scanner
        .getAllMethodNames(prototype)
        .map((methodName) => ({ methodName, types: this.typesOf(prototype, methodName) }))
        .filter((entry): entry is { methodName: string; types: PolarWebhookEventSelector[] } => !!entry.types);
      if (methods.length === 0) continue;
      const className = (prototype.constructor as { name?: string }).name ?? 'anonymous';
      if (!wrapper.isDependencyTreeStatic() || !instance) {
        // A request- or transient-scoped provider has no single instance to call for a webhook.
        this.logger.warn(`${className} has @OnPolarEvent() handlers but is not a singleton provider; skipped`);
        continue;
      }
      if (seen.has(instance)) continue;
      seen.add(instance);
      for (const { methodName, types } of methods) {
        const method = instance[methodName] as (...args: unknown[]) => unknown;
        const handler: PolarWebhookHandler = {
          name: `${className}.${methodName}`,
          run: async (event, delivery) => method.call(instance, event, delivery),
        };
        for (const type of types) this.byType.set(type, [...(this.byType.get(type) ?? []), handler]);
      }
    }
  }

  /** Handlers of this type first, then the `'*'` handlers, each in discovery order. */
  handlersFor(type: string): PolarWebhookHandler[] {
    // A Set, so a method marked both with its type and with '*' runs once.
    return [
      ...new Set([...(this.byType.get(type as PolarWebhookEventSelector) ?? []), ...(this.byType.get('*') ?? [])]),
    ];
  }

  private typesOf(prototype: object, methodName: string): PolarWebhookEventSelector[] | undefined {
    const method = (prototype as Record<string, unknown>)[methodName];
    if (typeof method !== 'function') return undefined;
    return Reflect.getMetadata(POLAR_WEBHOOK_HANDLER_METADATA, method) as PolarWebhookEventSelector[] | undefined;
  }
}
