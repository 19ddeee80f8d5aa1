// The rules table (docs/architecture.md, Endpoints): one D1 operation per function, each scoped to its user.
import { and, desc, eq } from "drizzle-orm";
import type { RuleAction, SavedRule } from "@s3/contract";
import { getDb } from "./index";
import { rules, type Rule } from "./schema";

/** A rule as the API shows it: concepts and protect parsed. */
export type RuleView = SavedRule;

export function ruleView(row: Rule): RuleView {
  return {
    id: row.id,
    name: row.name,
    preset_id: row.preset_id,
    concepts: JSON.parse(row.concepts_json) as Record<string, RuleAction>,
    protect: JSON.parse(row.protect_json) as string[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const own = (userId: string, ruleId: string) => and(eq(rules.id, ruleId), eq(rules.user_id, userId));

/** The user's rule, or undefined (also for another user's rule). */
export async function selectRule(d1: D1Database, userId: string, ruleId: string): Promise<RuleView | undefined> {
  const row = await getDb(d1).select().from(rules).where(own(userId, ruleId)).get();
  return row && ruleView(row);
}

/** The user's rules, newest first. */
export async function selectRules(d1: D1Database, userId: string): Promise<RuleView[]> {
  const rows = await getDb(d1)
    .select()
    .from(rules)
    .where(eq(rules.user_id, userId))
    .orderBy(desc(rules.created_at), desc(rules.id));
  return rows.map(ruleView);
}

export async function insertRule(d1: D1Database, row: Rule): Promise<void> {
  // A retry that took over a dead first attempt (docs/retries.md) may find its row already written.
  await getDb(d1).insert(rules).values(row).onConflictDoNothing();
}

/** Writes the rule's name, concepts, protect and updated_at. */
export async function updateRule(d1: D1Database, userId: string, rule: RuleView): Promise<void> {
  await getDb(d1)
    .update(rules)
    .set({
      name: rule.name,
      concepts_json: JSON.stringify(rule.concepts),
      protect_json: JSON.stringify(rule.protect),
      updated_at: rule.updated_at,
    })
    .where(own(userId, rule.id));
}

export async function deleteRule(d1: D1Database, userId: string, ruleId: string): Promise<void> {
  await getDb(d1).delete(rules).where(own(userId, ruleId));
}
