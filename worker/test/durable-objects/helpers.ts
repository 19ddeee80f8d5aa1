// Fixtures for the Durable Object tests: fresh ids per test, stubs, and D1 readers.
import { env } from "cloudflare:workers";
import { NEW_USER } from "@s3/contract";

export function freshId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

export function limiterOf(userId: string) {
  return env.USER_LIMITER.get(env.USER_LIMITER.idFromName(userId));
}

export function coordinatorOf(jobId: string) {
  return env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(jobId));
}

/** A new user with their ledger initialised (plan free, 10 credits). */
export async function newUser(): Promise<string> {
  const userId = freshId("u");
  await limiterOf(userId).init(userId);
  return userId;
}

export interface BillingRow {
  id: string;
  type: "reserve" | "refund" | "charge";
  amount: number;
  ref: string;
}

export async function billingRows(userId: string): Promise<BillingRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, type, amount, ref FROM billing_events WHERE user_id = ? ORDER BY created_at, id",
  )
    .bind(userId)
    .all<BillingRow>();
  return results;
}

/** A user's balance rebuilt from D1 alone (docs/credits.md). */
export async function balanceFromBilling(userId: string): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT COALESCE(SUM(CASE type WHEN 'reserve' THEN -amount WHEN 'refund' THEN amount ELSE 0 END), 0) AS delta
     FROM billing_events WHERE user_id = ?`,
  )
    .bind(userId)
    .first<{ delta: number }>();
  return NEW_USER.credits + (row?.delta ?? 0);
}
