import {
  Controller,
  Logger,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
  type Type,
  UnsupportedMediaTypeException,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { POLAR_WEBHOOK_ROUTE_METADATA } from './webhooks.constants.js';
import { webhookMessages } from './webhooks.messages.js';
import { PolarWebhooksProcessor } from './webhooks.processor.js';
import { signatureHeaders } from './webhooks.verifier.js';

/** What the controller reads from an Express or Fastify request (Nest's `rawBody: true` sets `rawBody`). */
interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
}

// Only application/json: it is what Polar sends, and the only JSON type whose raw bytes Nest keeps on both
// adapters (Express would leave a `+json` body unread, which looked like raw body support being off).
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Builds the webhook controller for `path`. Made in a factory because the path is an option:
 * the route is declared once with its final path instead of moving a controller's metadata later.
 * `routeDecorators` (e.g. your `@Public()`, `@SkipThrottle()`) are applied to the route handler.
 */
export function createPolarWebhooksController(path: string, routeDecorators: MethodDecorator[] = []): Type<unknown> {
  // Version-neutral: the URL registered in Polar must not move when the app turns on API versioning.
  @Controller({ path, version: VERSION_NEUTRAL })
  class PolarWebhooksController {
    private readonly logger = new Logger('PolarWebhooks');
    private warnedRawBody = false;

    constructor(
      private readonly processor: PolarWebhooksProcessor,
      private readonly adapterHost: HttpAdapterHost,
    ) {}

    @Post()
    async receive(@Req() request: WebhookRequest, @Res() response: unknown): Promise<void> {
      const contentType = firstHeader(request.headers['content-type']);
      if (!contentType || !JSON_CONTENT_TYPE.test(contentType)) {
        throw new UnsupportedMediaTypeException(webhookMessages.notJson(contentType));
      }
      if (!Buffer.isBuffer(request.rawBody)) {
        if (!this.warnedRawBody) {
          this.warnedRawBody = true;
          this.logger.error(webhookMessages.rawBodyMissing());
        }
        // 503, not 500: the app is misconfigured, not broken, and Polar retries once it is fixed.
        throw new ServiceUnavailableException(webhookMessages.rawBodyMissing());
      }
      const answer = await this.processor.process(request.rawBody, signatureHeaders(request.headers));
      // @Res() and the adapter's reply, because the status depends on the outcome (200 or 202):
      // @HttpCode is fixed per route, and a passthrough response would have it overwritten.
      this.adapterHost.httpAdapter.reply(response, answer.body, answer.status);
    }
  }

  // Set once on the class this factory just made, before Nest reads it: nothing is rewritten later.
  const prototype = PolarWebhooksController.prototype;
  Reflect.defineMetadata(POLAR_WEBHOOK_ROUTE_METADATA, true, PolarWebhooksController);
  Reflect.defineMetadata(POLAR_WEBHOOK_ROUTE_METADATA, true, prototype.receive);
  if (routeDecorators.length > 0) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, 'receive') as PropertyDescriptor;
    Object.defineProperty(prototype, 'receive', Reflect.decorate(routeDecorators, prototype, 'receive', descriptor));
  }
  return PolarWebhooksController;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
