import { Injectable, Logger, ServiceUnavailableException, UnsupportedMediaTypeException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { PolarRouteHandler } from '../common/route-definition.js';
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

/** Answers `POST /billing/webhooks`: moves the raw bytes to the processor and its answer out. */
@Injectable()
export class PolarWebhooksHandler implements PolarRouteHandler {
  private readonly logger = new Logger('PolarWebhooks');
  private warnedRawBody = false;

  constructor(
    private readonly processor: PolarWebhooksProcessor,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async handle(request: WebhookRequest, response: unknown): Promise<void> {
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
    // The adapter's reply, because the status depends on the outcome (200 or 202): @HttpCode is
    // fixed per route, and a passthrough response would have it overwritten.
    this.adapterHost.httpAdapter.reply(response, answer.body, answer.status);
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
