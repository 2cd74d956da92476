/**
 * How many new Polar sessions one customer may cost per reuse window.
 *
 * Polar binds a session's back link (`return_url`) to the session when it is created (the portal
 * reads it from the session, not from its URL), so a session can only be reused for the return URL
 * it was made with, and each new return URL is a call to Polar. The return URL comes from the
 * request, so without a bound one signed-in user could spend the organization's rate limit by
 * varying it. This counts new sessions per customer (and member) in a window; past the budget the
 * caller hands out the customer's latest session instead of calling Polar.
 */

/** The count as kept in the store (shared by instances) and in this process. */
export interface SessionBudgetRecord {
  v: 1;
  /** This window's end (epoch ms); a new window starts with the first new session after it. */
  window_ends_at: number;
  /** New sessions asked of Polar in this window. */
  spent: number;
  /** Store key of the latest session asked for in this window. */
  latest: string;
}

/** Whether a new session may be asked for, or which session to hand out instead. */
export type SessionBudgetDecision = { spend: true } | { spend: false; latest: string };

export function isSessionBudgetRecord(value: unknown): value is SessionBudgetRecord {
  const v = value as Partial<SessionBudgetRecord> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.v === 1 &&
    typeof v.window_ends_at === 'number' &&
    typeof v.spent === 'number' &&
    typeof v.latest === 'string'
  );
}

/**
 * The in-process side of the budget. Decisions are synchronous, so concurrent requests of one
 * process are counted exactly; the record read from a shared store is merged in first, so
 * instances sharing it count together (read then write: simultaneous first clicks on several
 * instances may each spend one).
 */
export class CustomerSessionBudget {
  private readonly records = new Map<string, SessionBudgetRecord>();

  constructor(
    private readonly maxSessions: number,
    private readonly windowMs: number,
    private readonly maxRecords: number,
  ) {}

  /** Decides for a request that found no live session of its own key. */
  decide(budgetKey: string, stored: unknown, now: number): SessionBudgetDecision {
    const record = this.current(budgetKey, stored, now);
    if (record === undefined || record.spent < this.maxSessions) return { spend: true };
    return { spend: false, latest: record.latest };
  }

  /** Counts one new session for `sessionKey` (now the latest); returns the record to share. */
  spend(budgetKey: string, sessionKey: string, now: number): SessionBudgetRecord {
    const open = this.records.get(budgetKey);
    const record: SessionBudgetRecord =
      open !== undefined && open.window_ends_at > now
        ? { ...open, spent: open.spent + 1, latest: sessionKey }
        : { v: 1, window_ends_at: now + this.windowMs, spent: 1, latest: sessionKey };
    this.remember(budgetKey, record);
    return record;
  }

  private current(budgetKey: string, stored: unknown, now: number): SessionBudgetRecord | undefined {
    let record = this.records.get(budgetKey);
    if (isSessionBudgetRecord(stored) && stored.window_ends_at > now) {
      const newer =
        record === undefined ||
        stored.window_ends_at > record.window_ends_at ||
        (stored.window_ends_at === record.window_ends_at && stored.spent > record.spent);
      if (newer) {
        record = stored;
        this.remember(budgetKey, stored);
      }
    }
    return record !== undefined && record.window_ends_at > now ? record : undefined;
  }

  private remember(budgetKey: string, record: SessionBudgetRecord): void {
    this.records.delete(budgetKey);
    this.records.set(budgetKey, record);
    if (this.records.size > this.maxRecords) this.records.delete(this.records.keys().next().value as string);
  }
}
