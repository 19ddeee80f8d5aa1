// The durable records (docs/architecture.md, Where state lives). migrations/ at the repo root is generated from this
// file (`npm run db:generate -w worker`); never edit the SQL by hand.
// No foreign keys: jobs_log and billing_events are history and must outlive a deleted rule
// or user; the Durable Objects, not D1, enforce the live invariants.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ITEM_STATUSES, JOB_STATUSES, NEW_USER, PLAN_IDS } from "@s3/contract";

/** ISO-8601 UTC, the same shape the API answers with. */
const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  created_at: text("created_at").notNull().default(now),
  plan: text("plan", { enum: PLAN_IDS }).notNull().default(NEW_USER.plan),
  credits: integer("credits").notNull().default(NEW_USER.credits),
  auth_provider: text("auth_provider").notNull().default("anon"),
  email: text("email"),
  device_hash: text("device_hash"),
});

export const rules = sqliteTable(
  "rules",
  {
    id: text("id").primaryKey(),
    user_id: text("user_id").notNull(),
    name: text("name").notNull(),
    preset_id: text("preset_id").notNull(),
    concepts_json: text("concepts_json").notNull(),
    protect_json: text("protect_json").notNull(),
    created_at: text("created_at").notNull().default(now),
    updated_at: text("updated_at").notNull().default(now),
  },
  (table) => [index("rules_user_created_idx").on(table.user_id, table.created_at)],
);

export const jobsLog = sqliteTable(
  "jobs_log",
  {
    job_id: text("job_id").primaryKey(),
    user_id: text("user_id").notNull(),
    created_at: text("created_at").notNull(),
    finished_at: text("finished_at"),
    status: text("status", { enum: JOB_STATUSES }).notNull(),
    preset: text("preset").notNull(),
    rule_id: text("rule_id"),
    concepts_json: text("concepts_json").notNull(),
    protect_json: text("protect_json").notNull(),
    /** item_count, output_template, watermark, attempts, dispatch_refs: what the job ran with beyond the rule. */
    params_json: text("params_json").notNull(),
    /** Credits reserved for the job (one per item). */
    cost_estimate: integer("cost_estimate").notNull(),
    error: text("error"),
  },
  (table) => [index("jobs_log_user_created_idx").on(table.user_id, table.created_at)],
);

export const jobItemsLog = sqliteTable(
  "job_items_log",
  {
    job_id: text("job_id").notNull(),
    idx: integer("idx").notNull(),
    status: text("status", { enum: ITEM_STATUSES }).notNull(),
    input_key: text("input_key").notNull(),
    output_key: text("output_key"),
    error: text("error"),
    /** The done item's report flags as a JSON array (docs/reports.md); null for an item without a report. */
    flags_json: text("flags_json"),
    /** 1 when the flags say a person should look at the item. */
    needs_review: integer("needs_review").notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.job_id, table.idx] })],
);

export const BILLING_TYPES = ["reserve", "refund", "charge"] as const;
export type BillingType = (typeof BILLING_TYPES)[number];

export const billingEvents = sqliteTable(
  "billing_events",
  {
    /** `{ref}:{type}`, deterministic: a retried write is ignored, never doubled. */
    id: text("id").primaryKey(),
    user_id: text("user_id").notNull(),
    type: text("type", { enum: BILLING_TYPES }).notNull(),
    /** Always positive; the type gives the sign. */
    amount: integer("amount").notNull(),
    /** The job id, or `grant:<uuid>` for an admin grant (docs/credits.md). */
    ref: text("ref").notNull(),
    created_at: text("created_at").notNull().default(now),
  },
  (table) => [index("billing_events_user_created_idx").on(table.user_id, table.created_at)],
);

export type User = typeof users.$inferSelect;
export type Rule = typeof rules.$inferSelect;
export type JobLogRow = typeof jobsLog.$inferInsert;
export type JobItemLogRow = typeof jobItemsLog.$inferInsert;
export type BillingEventRow = typeof billingEvents.$inferInsert;
