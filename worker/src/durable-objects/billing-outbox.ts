// The UserLimiter's billing rows wait here, written in the same synchronous transaction as
// the balance change, until D1 has them. A failed D1 write is retried by the DO's alarm, so
// the ledger never waits on D1 and D1 never misses (or doubles) a row.
import type { Plan } from "@s3/contract";
import { writeBilling } from "../db/billing";
import type { BillingType } from "../db/schema";

export interface PendingBillingEvent {
  type: BillingType;
  amount: number;
  ref: string;
}

interface OutboxRow extends Record<string, SqlStorageValue> {
  id: string;
  user_id: string;
  type: string;
  amount: number;
  ref: string;
  created_at: string;
}

/** What D1's users row mirrors of the ledger (the DO stays the truth). */
export interface LedgerMirror {
  user_id: string;
  plan: string;
  credits: number;
}

const RETRY_AFTER_MS = 30_000;

/** The D1 id of a billing row: one per (ref, type), so a retried write is ignored. */
export function billingEventId(ref: string, type: BillingType): string {
  return `${ref}:${type}`;
}

export class BillingOutbox {
  private readonly sql: SqlStorage;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly mirror: () => LedgerMirror | undefined,
  ) {
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS billing_outbox (
      id TEXT PRIMARY KEY, user_id TEXT NOT NULL, type TEXT NOT NULL, amount INTEGER NOT NULL,
      ref TEXT NOT NULL, created_at TEXT NOT NULL
    )`);
  }

  /** Synchronous, so it joins the caller's transaction. */
  add(events: PendingBillingEvent[], userId: string): void {
    const createdAt = new Date().toISOString();
    for (const event of events) {
      this.sql.exec(
        "INSERT OR IGNORE INTO billing_outbox (id, user_id, type, amount, ref, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        billingEventId(event.ref, event.type),
        userId,
        event.type,
        event.amount,
        event.ref,
        createdAt,
      );
    }
  }

  /** Writes every waiting row to D1. Flushes run one after another so D1 sees them in order. Never throws. */
  flush(): Promise<void> {
    // A broken link (setAlarm itself failing) must not stop later flushes.
    this.chain = this.chain.catch(() => undefined).then(() => this.flushOnce());
    return this.chain;
  }

  private async flushOnce(): Promise<void> {
    const rows = this.sql
      .exec<OutboxRow>("SELECT id, user_id, type, amount, ref, created_at FROM billing_outbox ORDER BY created_at")
      .toArray();
    const ledger = this.mirror();
    if (rows.length === 0 && !ledger) return;
    try {
      await writeBilling(
        this.env.DB,
        rows.map((row) => ({ ...row, type: row.type as BillingType })),
        ledger && { user_id: ledger.user_id, plan: ledger.plan as Plan, credits: ledger.credits },
      );
      for (const row of rows) this.sql.exec("DELETE FROM billing_outbox WHERE id = ?", row.id);
    } catch (error) {
      console.error("billing outbox: D1 write failed, retrying by alarm", error);
      await this.ctx.storage.setAlarm(Date.now() + RETRY_AFTER_MS);
    }
  }
}
