// The jobs_log and job_items_log rows (docs/events.md, GET /jobs): one D1 operation per function.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { getDb } from "./index";
import { jobItemsLog, jobsLog } from "./schema";

export type JobLogRow = typeof jobsLog.$inferInsert;
export type JobItemLogRow = typeof jobItemsLog.$inferInsert;

/** 8 bound parameters per item row; D1 allows 100 per statement. */
const ITEM_ROWS_PER_INSERT = 12;

/** The row GET /jobs finds before the job ends; a repeat changes nothing. */
export async function insertCreatedJob(d1: D1Database, row: JobLogRow): Promise<void> {
  await getDb(d1).insert(jobsLog).values(row).onConflictDoNothing();
}

/** The job's durable record at its end: its jobs_log row replaced and every item's row, in one batch. */
export async function writeEndedJob(d1: D1Database, row: JobLogRow, items: readonly JobItemLogRow[]): Promise<void> {
  const db = getDb(d1);
  const itemInserts = [];
  for (let at = 0; at < items.length; at += ITEM_ROWS_PER_INSERT) {
    itemInserts.push(
      db
        .insert(jobItemsLog)
        .values(items.slice(at, at + ITEM_ROWS_PER_INSERT))
        .onConflictDoNothing(),
    );
  }
  const { job_id: _id, user_id: _user, created_at: _created, ...ended } = row;
  await db.batch([
    db.insert(jobsLog).values(row).onConflictDoUpdate({ target: jobsLog.job_id, set: ended }),
    ...itemInserts,
  ]);
}

// Qualified by hand: drizzle renders a bare column name, which the subquery would read as its own table's.
const itemCount = (status: "done" | "failed") =>
  sql<number>`(SELECT COUNT(*) FROM job_items_log
    WHERE job_items_log.job_id = jobs_log.job_id AND job_items_log.status = ${status})`;
const needsReviewCount = sql<number>`(SELECT COUNT(*) FROM job_items_log
    WHERE job_items_log.job_id = jobs_log.job_id AND job_items_log.needs_review = 1)`;

/** Up to `limit` of the user's rows, newest first, after the cursor's row, with their item counts. */
export async function selectJobPage(
  d1: D1Database,
  userId: string,
  limit: number,
  after?: { created_at: string; job_id: string },
) {
  const log = jobsLog;
  return getDb(d1)
    .select({
      job_id: log.job_id,
      status: log.status,
      preset: log.preset,
      created_at: log.created_at,
      params_json: log.params_json,
      total: log.cost_estimate,
      done: itemCount("done"),
      failed: itemCount("failed"),
      needs_review: needsReviewCount,
    })
    .from(log)
    .where(
      and(
        eq(log.user_id, userId),
        after &&
          or(
            lt(log.created_at, after.created_at),
            and(eq(log.created_at, after.created_at), lt(log.job_id, after.job_id)),
          ),
      ),
    )
    .orderBy(desc(log.created_at), desc(log.job_id))
    .limit(limit);
}
