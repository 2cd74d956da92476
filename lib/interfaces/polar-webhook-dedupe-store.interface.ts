/**
 * Where handled `webhook-id`s are remembered, so a redelivered event does not run the handlers twice.
 * Implement it to share deduplication between app instances through your own storage.
 */
export interface PolarWebhookDedupeStore {
  /** Whether this delivery was already handled successfully (and not yet forgotten). */
  isHandled(webhookId: string): Promise<boolean>;
  /**
   * Takes the right to handle this delivery for `ttlMs`. Returns `false` when someone else holds it.
   * Sound only when it is atomic (set-if-absent); otherwise two concurrent receivers may both win.
   */
  claim(webhookId: string, ttlMs: number): Promise<boolean>;
  /** Records a successful handling for `ttlMs` and drops the claim. */
  markHandled(webhookId: string, ttlMs: number): Promise<void>;
  /** Drops the claim after a failed handling, so Polar's retry can run the handlers again. */
  release(webhookId: string): Promise<void>;
}
