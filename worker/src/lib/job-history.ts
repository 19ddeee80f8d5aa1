// The caller's jobs for GET /jobs (docs/events.md): D1's jobs_log row is written when a job is created
// and replaced when it ends; a job not yet ended in D1 is read live from its JobCoordinator.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { isFinalJobStatus, type JobPage, type JobSummary } from "@s3/contract";
import { getDb, schema } from "../db";
import { jobCoordinator } from "./durable";
import { ApiError } from "./errors";
import { ID_PATTERN } from "./ids";

/**
 * The row GET /jobs finds before the job ends. Best effort: the job already exists and holds
 * credits, so a D1 failure must not fail POST /jobs; the job is listed once it ends either way.
 */
export async function logJobCreated(
  env: Env,
  job: { job_id: string; user_id: string; preset: string; item_count: number },
): Promise<void> {
  try {
    await getDb(env.DB)
      .insert(schema.jobsLog)
      .values({
        job_id: job.job_id,
        user_id: job.user_id,
        created_at: new Date().toISOString(),
        status: "created",
        preset: job.preset,
        concepts_json: "{}",
        protect_json: "[]",
        params_json: JSON.stringify({ item_count: job.item_count, output_template: null }),
        cost_estimate: job.item_count,
      })
      .onConflictDoNothing();
  } catch (error) {
    console.error("jobs_log row at create failed; the job is listed once it ends", error);
  }
}

interface Cursor {
  created_at: string;
  job_id: string;
}

function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify([cursor.created_at, cursor.job_id])).replace(/=+$/, "");
}

function decodeCursor(text: string): Cursor {
  try {
    const [created_at, job_id] = JSON.parse(atob(text)) as unknown[];
    if (typeof created_at === "string" && typeof job_id === "string" && ID_PATTERN.job.test(job_id)) {
      return { created_at, job_id };
    }
  } catch {
    // Falls through to the refusal.
  }
  throw new ApiError("VALIDATION_ERROR", "cursor: not a cursor this API returned.");
}

// Qualified by hand: drizzle renders a bare column name, which the subquery would read as its own table's.
const itemCount = (status: "done" | "failed") =>
  sql<number>`(SELECT COUNT(*) FROM job_items_log
    WHERE job_items_log.job_id = jobs_log.job_id AND job_items_log.status = ${status})`;
const needsReviewCount = sql<number>`(SELECT COUNT(*) FROM job_items_log
    WHERE job_items_log.job_id = jobs_log.job_id AND job_items_log.needs_review = 1)`;

/** One page of the user's jobs, newest first; `cursor` is the previous page's next_cursor. */
export async function listJobs(env: Env, userId: string, limit: number, cursor?: string): Promise<JobPage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const log = schema.jobsLog;
  const rows = await getDb(env.DB)
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
    .limit(limit + 1);

  const page = rows.slice(0, limit);
  const jobs = await Promise.all(
    page.map(async (row): Promise<JobSummary> => {
      if (!isFinalJobStatus(row.status)) {
        // At most the plan's concurrent jobs (plus any still settling) are live: a few calls per page.
        const live = await jobCoordinator(env, row.job_id).get(userId);
        if (live.ok) {
          const { job } = live;
          const { job_id, status, preset, output_template, created_at, progress } = job;
          return { job_id, status, preset, output_template, created_at, progress };
        }
      }
      const params = JSON.parse(row.params_json) as { output_template?: string | null };
      return {
        job_id: row.job_id,
        status: row.status,
        preset: row.preset,
        output_template: params.output_template ?? null,
        created_at: row.created_at,
        progress: { done: row.done, failed: row.failed, total: row.total, needs_review: row.needs_review },
      };
    }),
  );
  const last = page.at(-1);
  return { jobs, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
}
