import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  Scope,
  SetMetadata,
  ValidationPipe,
  VersioningType,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { webhooks } from '@polar-sh/sdk/2026-10';
import request from 'supertest';
import { OnPolarEvent } from '../../lib/webhooks/on-polar-event.decorator.js';
import { isPolarWebhookRoute } from '../../lib/webhooks/webhooks.route-metadata.js';
import type { PolarWebhookDedupeStore } from '../../lib/interfaces/polar-webhook-dedupe-store.interface.js';
import type {
  PolarUnknownWebhookEvent,
  PolarWebhookDelivery,
  PolarWebhookEvent,
} from '../../lib/webhooks/webhooks.types.js';
import {
  customerData,
  eventBody,
  NEXT_WEBHOOK_SECRET,
  RAW_BYTES_SECRET,
  signWebhook,
  TEST_WEBHOOK_SECRET,
} from '../../lib/webhooks/webhooks.fixtures.js';
import { ADAPTER_FORMS, ADAPTERS, createWebhookApp, type WebhookApp } from './webhooks-test-app.js';

const PATH = '/billing/webhooks';

@Injectable()
class CustomerHandlers {
  created: { event: webhooks.WebhookCustomerCreatedPayload; delivery: PolarWebhookDelivery }[] = [];
  createdAgain: string[] = [];
  updated: string[] = [];
  failuresLeft = 0;
  updateDelayMs = 0;

  @OnPolarEvent('customer.created')
  async onCreated(event: webhooks.WebhookCustomerCreatedPayload, delivery: PolarWebhookDelivery): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('database unavailable');
    }
    this.created.push({ event, delivery });
  }

  @OnPolarEvent('customer.created')
  onCreatedAudit(event: webhooks.WebhookCustomerCreatedPayload): void {
    this.createdAgain.push(event.data.email ?? '');
  }

  @OnPolarEvent('customer.updated')
  async onUpdated(event: webhooks.WebhookCustomerUpdatedPayload): Promise<void> {
    if (this.updateDelayMs) await new Promise((resolve) => setTimeout(resolve, this.updateDelayMs));
    this.updated.push(event.data.name ?? '');
  }
}

@Injectable()
class EverythingHandler {
  types: string[] = [];

  @OnPolarEvent('*')
  onAny(event: PolarWebhookEvent): void {
    this.types.push(event.type);
  }
}

describe.each(ADAPTER_FORMS)('webhook route over %s, PolarModule.%s', (adapter, form) => {
  let web: WebhookApp;
  let handlers: CustomerHandlers;
  let everything: EverythingHandler;
  const unknown: PolarUnknownWebhookEvent[] = [];

  beforeAll(async () => {
    web = await createWebhookApp({
      adapter,
      form,
      webhooks: {
        secrets: [TEST_WEBHOOK_SECRET, NEXT_WEBHOOK_SECRET, RAW_BYTES_SECRET],
        onUnknownEvent: (event) => {
          unknown.push(event);
        },
      },
      providers: [CustomerHandlers, EverythingHandler],
    });
    handlers = web.app.get(CustomerHandlers);
    everything = web.app.get(EverythingHandler);
  });

  afterAll(async () => {
    await web.app.close();
  });

  beforeEach(() => {
    handlers.created = [];
    handlers.createdAgain = [];
    handlers.updated = [];
    handlers.failuresLeft = 0;
    handlers.updateDelayMs = 0;
    everything.types = [];
    unknown.length = 0;
    web.logger.lines.length = 0;
  });

  const post = (body: string, headers: Record<string, string>) =>
    request(web.app.getHttpServer()).post(PATH).set(headers).send(body);

  it('answers 200 and runs every handler of the type, and the "*" handler, with the typed payload', async () => {
    const body = eventBody('customer.created');
    const headers = signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_handled_1' });

    const response = await post(body, headers);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true });
    expect(handlers.created).toHaveLength(1);
    expect(handlers.created[0].event.data.email).toBe('ada@mailinator.com');
    expect(handlers.created[0].delivery.id).toBe('msg_handled_1');
    expect(handlers.created[0].delivery.type).toBe('customer.created');
    expect(handlers.created[0].delivery.timestamp.getTime()).toBe(Number(headers['webhook-timestamp']) * 1000);
    expect(handlers.createdAgain).toEqual(['ada@mailinator.com']);
    expect(everything.types).toEqual(['customer.created']);
  });

  it('verifies a pretty-printed body on its exact bytes', async () => {
    const body = eventBody('customer.updated', customerData({ name: 'Pretty Printed' }), 2);
    expect(body).toContain('\n  ');

    const response = await post(body, signWebhook(body, TEST_WEBHOOK_SECRET));

    expect(response.status).toBe(200);
    expect(handlers.updated).toEqual(['Pretty Printed']);
  });

  it('verifies a \\u-escaped body on its exact bytes', async () => {
    const body = eventBody('customer.updated', customerData({ name: 'Zoë Ångström' })).replace(
      /[^\x20-\x7e]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(body).toContain('\\u00eb');

    const response = await post(body, signWebhook(body, TEST_WEBHOOK_SECRET));

    expect(response.status).toBe(200);
    expect(handlers.updated).toEqual(['Zoë Ångström']);
  });

  it('accepts the second secret during a rotation', async () => {
    const body = eventBody('customer.updated', customerData({ name: 'Rotated' }));

    const response = await post(body, signWebhook(body, NEXT_WEBHOOK_SECRET));

    expect(response.status).toBe(200);
    expect(handlers.updated).toEqual(['Rotated']);
  });

  it('verifies with a secret that is not whsec_-base64, used as raw key bytes', async () => {
    const body = eventBody('customer.updated', customerData({ name: 'Raw Key' }));

    const response = await post(body, signWebhook(body, RAW_BYTES_SECRET, { key: 'utf8' }));

    expect(response.status).toBe(200);
    expect(handlers.updated).toEqual(['Raw Key']);
  });

  it('answers 403 without signature headers, and runs nothing', async () => {
    const body = eventBody('customer.created');

    const response = await post(body, { 'content-type': 'application/json' });

    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/signature rejected: Missing required headers/);
    expect(handlers.created).toHaveLength(0);
    expect(everything.types).toHaveLength(0);
  });

  it('answers 403 for a signature made with another secret', async () => {
    const body = eventBody('customer.created');
    const foreign = 'whsec_' + Buffer.from('somebody else entirely').toString('base64');

    const response = await post(body, signWebhook(body, foreign));

    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/No matching signature/);
    expect(JSON.stringify(response.body)).not.toContain(TEST_WEBHOOK_SECRET);
    expect(handlers.created).toHaveLength(0);
  });

  it('answers 403 when the body was changed after signing', async () => {
    const signed = eventBody('customer.created');
    const tampered = eventBody('customer.created', customerData({ email: 'mallory@mailinator.com' }));

    const response = await post(tampered, signWebhook(signed, TEST_WEBHOOK_SECRET));

    expect(response.status).toBe(403);
    expect(handlers.created).toHaveLength(0);
  });

  it('answers 403 for a stale timestamp (replay), even with a valid signature', async () => {
    const body = eventBody('customer.created');
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;

    const response = await post(body, signWebhook(body, TEST_WEBHOOK_SECRET, { timestamp: tenMinutesAgo }));

    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/timestamp too old/);
    expect(handlers.created).toHaveLength(0);
  });

  it('acknowledges a well-signed unknown event type with 202 and calls onUnknownEvent', async () => {
    const body = JSON.stringify({ type: 'invoice.sparkled', timestamp: '2026-11-23T10:00:00Z', data: { id: 'x' } });

    const response = await post(body, signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_unknown_1' }));

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ received: true, handled: false, reason: 'unknown_event_type' });
    expect(unknown).toEqual([{ id: 'msg_unknown_1', type: 'invoice.sparkled', payload: JSON.parse(body) as unknown }]);
    expect(everything.types).toHaveLength(0);
  });

  it('answers 403, not 202, for an unknown event type with a bad signature', async () => {
    const body = JSON.stringify({ type: 'invoice.sparkled', data: {} });

    const response = await post(body, signWebhook(body, 'whsec_' + Buffer.from('wrong').toString('base64')));

    expect(response.status).toBe(403);
    expect(unknown).toHaveLength(0);
  });

  it('answers 500 when a handler throws, logs it, keeps serving, and runs again on the retry', async () => {
    handlers.failuresLeft = 1;
    const body = eventBody('customer.created');
    const headers = signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_retry_1' });

    const failed = await post(body, headers);

    expect(failed.status).toBe(500);
    expect(failed.body.message).toBe('A webhook handler failed; Polar will retry this delivery');
    expect(JSON.stringify(failed.body)).not.toContain('database unavailable');
    expect(web.logger.errors().join('\n')).toMatch(
      /Handler CustomerHandlers\.onCreated failed for customer\.created delivery msg_retry_1[\s\S]*database unavailable/,
    );
    expect(web.logger.errors().join('\n')).not.toContain(TEST_WEBHOOK_SECRET);

    const retried = await post(body, headers);

    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ received: true });
    expect(handlers.created.map((entry) => entry.delivery.id)).toEqual(['msg_retry_1']);
  });

  it('acknowledges a redelivery of a handled webhook-id without running the handlers again', async () => {
    const body = eventBody('customer.created');
    const headers = signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_dupe_1' });

    const first = await post(body, headers);
    const second = await post(body, signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_dupe_1' }));

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ received: true, duplicate: true });
    expect(handlers.created).toHaveLength(1);
    expect(handlers.createdAgain).toHaveLength(1);
    expect(everything.types).toEqual(['customer.created']);
  });

  it('does not treat a forged redelivery of a handled id as a duplicate: the signature comes first', async () => {
    const body = eventBody('customer.created');
    await post(body, signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_dupe_forged' }));

    const forged = await post(body, { ...signWebhook(body, TEST_WEBHOOK_SECRET), 'webhook-id': 'msg_dupe_forged' });

    expect(forged.status).toBe(403);
  });

  it('answers 409 to the same delivery arriving while it is being handled, and handles it once', async () => {
    handlers.updateDelayMs = 300;
    const body = eventBody('customer.updated', customerData({ name: 'Concurrent' }));
    const headers = signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_concurrent_1' });

    const [a, b] = await Promise.all([post(body, headers), post(body, headers)]);

    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(handlers.updated).toEqual(['Concurrent']);
    const retry = await post(body, headers);
    expect(retry.body).toEqual({ received: true, duplicate: true });
  });

  it('answers 400, never 500, to a well-signed body that is not valid JSON, and runs nothing', async () => {
    const body = '{"type":"customer.created",';

    const response = await post(body, signWebhook(body, TEST_WEBHOOK_SECRET));

    expect(response.status).toBe(400);
    expect(handlers.created).toHaveLength(0);
    expect(everything.types).toHaveLength(0);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const response = await request(web.app.getHttpServer())
      .post(PATH)
      .set({ ...signWebhook('hello', TEST_WEBHOOK_SECRET), 'content-type': 'text/plain' })
      .send('hello');

    expect(response.status).toBe(415);
  });

  it('answers 415, not 503, to other JSON media types, whose raw bytes Nest does not keep', async () => {
    const body = eventBody('customer.created');
    for (const contentType of ['application/vnd.api+json', 'application/json-seq']) {
      const response = await post(body, { ...signWebhook(body, TEST_WEBHOOK_SECRET), 'content-type': contentType });

      expect(response.status).toBe(415);
    }
    expect(web.logger.errors()).toEqual([]);
    expect(handlers.created).toHaveLength(0);
  });

  it('accepts application/json with parameters', async () => {
    const body = eventBody('customer.created');
    const headers = { ...signWebhook(body, TEST_WEBHOOK_SECRET), 'content-type': 'Application/JSON ; charset=utf-8' };

    const response = await post(body, headers);

    expect(response.status).toBe(200);
    expect(handlers.created).toHaveLength(1);
  });
});

@Injectable({ scope: Scope.REQUEST })
class RequestScopedHandler {
  static runs = 0;

  @OnPolarEvent('customer.created')
  onCreated(): void {
    RequestScopedHandler.runs += 1;
  }
}

describe.each(ADAPTERS)('webhook route edge configurations over %s', (adapter) => {
  it('skips a request-scoped provider with a start-up warning instead of calling a half-made instance', async () => {
    const web = await createWebhookApp({
      adapter,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      providers: [RequestScopedHandler, CustomerHandlers],
    });
    try {
      expect(
        web.logger.lines
          .filter((line) => line.level === 'warn')
          .map((line) => line.message)
          .join('\n'),
      ).toContain('RequestScopedHandler has @OnPolarEvent() handlers but is not a singleton provider; skipped');
      const body = eventBody('customer.created');
      const response = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET))
        .send(body);
      expect(response.status).toBe(200);
      expect(RequestScopedHandler.runs).toBe(0);
      expect(web.app.get(CustomerHandlers).created).toHaveLength(1);
    } finally {
      await web.app.close();
    }
  });

  it('acknowledges a known type that no handler listens to with 202', async () => {
    const web = await createWebhookApp({
      adapter,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      providers: [CustomerHandlers],
    });
    try {
      const body = JSON.stringify({ type: 'order.paid', timestamp: '2026-11-23T10:00:00Z', data: { id: 'ord_1' } });
      const response = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET))
        .send(body);

      expect(response.status).toBe(202);
      expect(response.body).toEqual({ received: true, handled: false, reason: 'no_handler' });
    } finally {
      await web.app.close();
    }
  });

  it('without raw body support answers 503 saying how to enable it, and logs it', async () => {
    const web = await createWebhookApp({
      adapter,
      rawBody: false,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      providers: [CustomerHandlers],
    });
    try {
      const body = eventBody('customer.created');
      const response = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET))
        .send(body);

      expect(response.status).toBe(503);
      expect(response.body.message).toContain('NestFactory.create(AppModule, { rawBody: true })');
      expect(web.logger.errors().join('\n')).toContain('{ rawBody: true }');
      expect(web.app.get(CustomerHandlers).created).toHaveLength(0);
    } finally {
      await web.app.close();
    }
  });

  it('still acknowledges an unknown event type when onUnknownEvent throws, and logs the error', async () => {
    const web = await createWebhookApp({
      adapter,
      webhooks: {
        secrets: TEST_WEBHOOK_SECRET,
        onUnknownEvent: async () => {
          throw new Error('alerting backend down');
        },
      },
      providers: [CustomerHandlers],
    });
    try {
      const body = JSON.stringify({ type: 'invoice.sparkled', data: {} });
      const response = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_hook_throws' }))
        .send(body);

      expect(response.status).toBe(202);
      expect(web.logger.errors().join('\n')).toMatch(
        /onUnknownEvent failed for delivery msg_hook_throws[\s\S]*alerting backend down/,
      );
    } finally {
      await web.app.close();
    }
  });

  it('serves the route on a configured path', async () => {
    const web = await createWebhookApp({
      adapter,
      webhooks: { path: 'hooks/polar', secrets: TEST_WEBHOOK_SECRET },
      providers: [CustomerHandlers],
    });
    try {
      const body = eventBody('customer.created');
      const moved = await request(web.app.getHttpServer())
        .post('/hooks/polar')
        .set(signWebhook(body, TEST_WEBHOOK_SECRET))
        .send(body);
      const old = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET))
        .send(body);

      expect(moved.status).toBe(200);
      expect(old.status).toBe(404);
    } finally {
      await web.app.close();
    }
  });

  it('stays at its path when the app turns on URI versioning, and moves with a global prefix', async () => {
    const web = await createWebhookApp({
      adapter,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      providers: [CustomerHandlers],
      configure: (app) => {
        app.setGlobalPrefix('api');
        app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
      },
    });
    try {
      const body = eventBody('customer.created');
      const server = web.app.getHttpServer();
      const prefixed = await request(server)
        .post('/api/billing/webhooks')
        .set(signWebhook(body, TEST_WEBHOOK_SECRET))
        .send(body);
      const versioned = await request(server)
        .post('/api/v1/billing/webhooks')
        .set(signWebhook(body, TEST_WEBHOOK_SECRET))
        .send(body);

      expect(prefixed.status).toBe(200);
      expect(versioned.status).toBe(404);
    } finally {
      await web.app.close();
    }
  });

  it('answers 503 when the dedupe store fails before the handlers, so Polar retries; logs it', async () => {
    const failing: PolarWebhookDedupeStore = {
      isHandled: async () => {
        throw new Error('ECONNREFUSED 127.0.0.1:6379');
      },
      claim: async () => true,
      markHandled: async () => undefined,
      release: async () => undefined,
    };
    const web = await createWebhookApp({
      adapter,
      webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: { store: failing } },
      providers: [CustomerHandlers],
    });
    try {
      const body = eventBody('customer.created');
      const response = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_store_down' }))
        .send(body);

      expect(response.status).toBe(503);
      expect(JSON.stringify(response.body)).not.toContain('ECONNREFUSED');
      expect(web.logger.errors().join('\n')).toMatch(
        /Dedupe store failed for delivery msg_store_down[\s\S]*ECONNREFUSED/,
      );
      expect(web.app.get(CustomerHandlers).created).toHaveLength(0);
    } finally {
      await web.app.close();
    }
  });

  it('answers 200 when only recording the handled id fails (the handlers ran), and logs it', async () => {
    const forgetful: PolarWebhookDedupeStore = {
      isHandled: async () => false,
      claim: async () => true,
      markHandled: async () => {
        throw new Error('READONLY replica');
      },
      release: async () => undefined,
    };
    const web = await createWebhookApp({
      adapter,
      webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: { store: forgetful } },
      providers: [CustomerHandlers],
    });
    try {
      const body = eventBody('customer.created');
      const response = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_unrecorded' }))
        .send(body);

      expect(response.status).toBe(200);
      expect(web.app.get(CustomerHandlers).created).toHaveLength(1);
      expect(web.logger.errors().join('\n')).toMatch(/recording it in the dedupe store failed[\s\S]*READONLY/);
    } finally {
      await web.app.close();
    }
  });

  it('logs a claim that cannot be released after a handler failed, and still answers 500', async () => {
    const stuck: PolarWebhookDedupeStore = {
      isHandled: async () => false,
      claim: async () => true,
      markHandled: async () => undefined,
      release: async () => {
        throw new Error('ETIMEDOUT redis');
      },
    };
    const web = await createWebhookApp({
      adapter,
      webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: { store: stuck } },
      providers: [CustomerHandlers],
    });
    try {
      web.app.get(CustomerHandlers).failuresLeft = 1;
      const body = eventBody('customer.created');
      const response = await request(web.app.getHttpServer())
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_stuck_claim' }))
        .send(body);

      expect(response.status).toBe(500);
      expect(JSON.stringify(response.body)).not.toContain('ETIMEDOUT');
      expect(web.logger.errors().join('\n')).toMatch(
        /Releasing the claim on delivery msg_stuck_claim[\s\S]*ETIMEDOUT redis/,
      );
    } finally {
      await web.app.close();
    }
  });

  it('with dedupe: false runs the handlers on every delivery', async () => {
    const web = await createWebhookApp({
      adapter,
      webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: false },
      providers: [CustomerHandlers],
    });
    try {
      const body = eventBody('customer.created');
      const server = web.app.getHttpServer();
      await request(server)
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_same' }))
        .send(body);
      const again = await request(server)
        .post(PATH)
        .set(signWebhook(body, TEST_WEBHOOK_SECRET, { id: 'msg_same' }))
        .send(body);

      expect(again.body).toEqual({ received: true });
      expect(web.app.get(CustomerHandlers).created).toHaveLength(2);
    } finally {
      await web.app.close();
    }
  });

  // The option rules themselves are unit specs (lib/webhooks/webhooks.config.spec.ts); this proves they run at start-up.
  it('fails at start-up, naming the option, when no secret is given', async () => {
    await expect(
      createWebhookApp({ adapter, webhooks: { secrets: [] }, providers: [CustomerHandlers] }),
    ).rejects.toThrow(/webhooks\.secrets/);
  });

  it("fails at start-up when dedupe.store is 'cache-manager' and no CacheModule is imported", async () => {
    await expect(
      createWebhookApp({ adapter, webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: { store: 'cache-manager' } } }),
    ).rejects.toThrow(/no CACHE_MANAGER provider was found; import CacheModule/);
  });
});

const IS_PUBLIC = 'isPublic';

/** An app-wide auth guard like most apps have: everything needs a bearer token unless marked public. */
@Injectable()
class BearerGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const headers = context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers;
    return headers.authorization === 'Bearer app-user';
  }
}

/** The same guard, taught to let Polar's route through with isPolarWebhookRoute(). */
@Injectable()
class PolarAwareBearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (isPolarWebhookRoute(context)) return true;
    const headers = context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers;
    return headers.authorization === 'Bearer app-user';
  }
}

/** An app-wide response wrapper, as many apps have: `{ data: … }` around every answer. */
class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}

describe.each(ADAPTER_FORMS)('webhook route and global guards over %s, PolarModule.%s', (adapter, form) => {
  const deliver = async (web: WebhookApp) => {
    const body = eventBody('customer.created');
    return request(web.app.getHttpServer()).post(PATH).set(signWebhook(body, TEST_WEBHOOK_SECRET)).send(body);
  };

  it('a strict global ValidationPipe and a response-wrapping interceptor leave the route and its answer alone', async () => {
    const web = await createWebhookApp({
      adapter,
      form,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      providers: [CustomerHandlers],
      configure: (app) => {
        app.useGlobalPipes(
          new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
        );
        app.useGlobalInterceptors(new WrapInterceptor());
      },
    });
    try {
      const response = await deliver(web);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: true });
      expect(web.app.get(CustomerHandlers).created).toHaveLength(1);
    } finally {
      await web.app.close();
    }
  });

  it('a global guard runs on the webhook route: one that knows nothing of it rejects Polar (403)', async () => {
    const web = await createWebhookApp({
      adapter,
      form,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      providers: [CustomerHandlers, { provide: APP_GUARD, useClass: BearerGuard }],
    });
    try {
      const response = await deliver(web);
      expect(response.status).toBe(403);
      expect(web.app.get(CustomerHandlers).created).toHaveLength(0);
    } finally {
      await web.app.close();
    }
  });

  it('a guard that checks isPolarWebhookRoute() lets signed deliveries through', async () => {
    const web = await createWebhookApp({
      adapter,
      form,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      providers: [CustomerHandlers, { provide: APP_GUARD, useClass: PolarAwareBearerGuard }],
    });
    try {
      const response = await deliver(web);
      expect(response.status).toBe(200);
      expect(web.app.get(CustomerHandlers).created).toHaveLength(1);
      const unsigned = await request(web.app.getHttpServer())
        .post(PATH)
        .set('content-type', 'application/json')
        .send(eventBody('customer.created'));
      expect(unsigned.status).toBe(403);
    } finally {
      await web.app.close();
    }
  });

  it("routeDecorators apply the app's own public marker, which its unchanged guard honours", async () => {
    const web = await createWebhookApp({
      adapter,
      form,
      webhooks: { secrets: TEST_WEBHOOK_SECRET },
      routeDecorators: [SetMetadata(IS_PUBLIC, true)],
      providers: [CustomerHandlers, { provide: APP_GUARD, useClass: BearerGuard }],
    });
    try {
      const response = await deliver(web);
      expect(response.status).toBe(200);
      expect(web.app.get(CustomerHandlers).created).toHaveLength(1);
    } finally {
      await web.app.close();
    }
  });
});
