/** Wording of the webhook route's answers and logs, in one place. None of them carries a secret. */
export const webhookMessages = {
  rawBodyMissing: () =>
    'Polar webhooks need the raw request body to verify signatures, and it is not available: ' +
    'create the app with NestFactory.create(AppModule, { rawBody: true }) ' +
    '(Fastify: NestFactory.create(AppModule, new FastifyAdapter(), { rawBody: true })), ' +
    "and let no JSON body parser of your own run before Nest's on this route.",
  notJson: (contentType: string | undefined) =>
    `Polar webhooks are sent as application/json; got content-type ${contentType ? JSON.stringify(contentType) : '(none)'}`,
  badSignature: (reason: string) => `Webhook signature rejected: ${reason}`,
  badPayload: (reason: string) => `Webhook payload rejected: ${reason}`,
  badPayloadLog: (id: string, reason: string) =>
    `Rejected webhook delivery ${JSON.stringify(id)} with 400: ${reason}; no handler ran`,
  handlerFailed: () => 'A webhook handler failed; Polar will retry this delivery',
  handlerFailedLog: (handler: string, type: string, id: string) =>
    `Handler ${handler} failed for ${type} delivery ${id}; answered 500 so Polar retries`,
  inProgress: (id: string) => `Webhook delivery ${id} is being handled by another worker; retry later`,
  storeFailed: () => 'Webhook deduplication store unavailable; Polar will retry this delivery',
  storeFailedLog: (id: string) => `Dedupe store failed for delivery ${id}; answered 503 so Polar retries`,
  releaseFailedLog: (id: string) =>
    `Releasing the claim on delivery ${id} after a handler failed did not work; retries are answered 409 until it expires`,
  markFailedLog: (id: string) =>
    `Handlers ran for delivery ${id} but recording it in the dedupe store failed; a retry may run them again`,
  unknownEvent: (type: string | null, id: string) =>
    `Acknowledged delivery ${id} of unknown event type ${JSON.stringify(type)} (not in @polar-sh/sdk 2026-10)`,
  unknownHookFailed: (id: string) => `onUnknownEvent failed for delivery ${id}; the delivery is acknowledged anyway`,
} as const;
