/** Options of the webhook route (owned by lib/webhooks). */
export interface PolarWebhooksOptions {
  /** @default 'billing/webhooks' */
  path?: string;
  /** One signing secret (`whsec_…`) or several during a rotation. */
  secrets: string | string[];
}
