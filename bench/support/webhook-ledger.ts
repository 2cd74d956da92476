/**
 * What a webhook contender's handler records: how many times it ran per `webhook-id`. The
 * orchestrator reads it over IPC after each window and checks it against the answers it got.
 */
export class DeliveryLedger {
  private runs = new Map<string, number>();

  /** One run of the app's handler for this delivery. */
  record(webhookId: string): void {
    this.runs.set(webhookId, (this.runs.get(webhookId) ?? 0) + 1);
  }

  /** The IPC commands of a contender that keeps this ledger. */
  ipcHandlers(): Record<string, (arg: unknown) => unknown> {
    return {
      'runs-reset': () => {
        this.runs = new Map();
        return null;
      },
      runs: () => Object.fromEntries(this.runs),
    };
  }
}
