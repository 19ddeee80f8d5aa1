// The users table: one D1 operation per function. The UserLimiter holds the live ledger; D1 keeps
// the user's row for joins and operations.
import { eq } from "drizzle-orm";
import type { Plan } from "@s3/contract";
import { getDb } from "./index";
import { users } from "./schema";

export async function insertUser(d1: D1Database, userId: string): Promise<void> {
  await getDb(d1).insert(users).values({ id: userId });
}

/** The plan and balance the UserLimiter now holds, mirrored into D1 (the ops route). */
export async function updateUserPlan(d1: D1Database, userId: string, plan: Plan, credits: number): Promise<void> {
  await getDb(d1).update(users).set({ plan, credits }).where(eq(users.id, userId));
}
