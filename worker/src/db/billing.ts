// The billing_events rows and the users row's mirror of the ledger, written by the UserLimiter's
// outbox (durable-objects/billing-outbox.ts) in one D1 batch.
import { eq } from "drizzle-orm";
import type { Plan } from "@s3/contract";
import { getDb } from "./index";
import { billingEvents, users } from "./schema";

export type BillingEventRow = typeof billingEvents.$inferInsert;

/** D1 binds at most 100 parameters per statement; a billing row binds 6. */
const ROWS_PER_INSERT = 10;

/** The rows (a repeat of one is ignored) and the users row's plan and credits, in one batch; nothing when empty. */
export async function writeBilling(
  d1: D1Database,
  rows: readonly BillingEventRow[],
  ledger: { user_id: string; plan: Plan; credits: number } | undefined,
): Promise<void> {
  const db = getDb(d1);
  const inserts = [];
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    inserts.push(
      db
        .insert(billingEvents)
        .values(rows.slice(at, at + ROWS_PER_INSERT))
        .onConflictDoNothing(),
    );
  }
  const statements = ledger
    ? [
        ...inserts,
        db.update(users).set({ plan: ledger.plan, credits: ledger.credits }).where(eq(users.id, ledger.user_id)),
      ]
    : inserts;
  const [first, ...rest] = statements;
  if (!first) return;
  await db.batch([first, ...rest]);
}
