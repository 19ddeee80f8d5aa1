// The caller's jobs for GET /jobs (docs/events.md): D1's jobs_log row is written when a job is created
// and replaced when it ends; a job not yet ended in D1 is read live from its JobCoordinator.
import { isFinalJobStatus, type JobPage, type JobSummary } from "@s3/contract";
import { insertCreatedJob, selectJobPage } from "../db/jobs-log";
import { jobCoordinator } from "./durable";
import { ApiError } from "./errors";
import { ID_PATTERN } from "./ids";
import { setTemplateOf } from "./set-files";

/**
 * The row GET /jobs finds before the job ends. Best effort: the job already exists and holds
 * credits, so a D1 failure must not fail POST /jobs; the job is listed once it ends either way.
 */
export async function logJobCreated(
  env: Env,
  job: { job_id: string; user_id: string; preset: string; item_count: number },
): Promise<void> {
  try {
    await insertCreatedJob(env.DB, {
      job_id: job.job_id,
      user_id: job.user_id,
      created_at: new Date().toISOString(),
      status: "created",
      preset: job.preset,
      concepts_json: "{}",
      protect_json: "[]",
      params_json: JSON.stringify({ item_count: job.item_count, output_template: null }),
      cost_estimate: job.item_count,
    });
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

/** One page of the user's jobs, newest first; `cursor` is the previous page's next_cursor. */
export async function listJobs(env: Env, userId: string, limit: number, cursor?: string): Promise<JobPage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const rows = await selectJobPage(env.DB, userId, limit + 1, after);

  const page = rows.slice(0, limit);
  const jobs = await Promise.all(
    page.map(async (row): Promise<JobSummary> => {
      if (!isFinalJobStatus(row.status)) {
        // At most the plan's concurrent jobs (plus any still settling) are live: a few calls per page.
        const live = await jobCoordinator(env, row.job_id).get(userId);
        if (live.ok) {
          const { job } = live;
          const { job_id, status, preset, output_template, created_at, progress } = job;
          const output_template_slug = setTemplateOf(preset, output_template)?.slug ?? null;
          return { job_id, status, preset, output_template, output_template_slug, created_at, progress };
        }
      }
      const params = JSON.parse(row.params_json) as { output_template?: string | null };
      return {
        job_id: row.job_id,
        status: row.status,
        preset: row.preset,
        output_template: params.output_template ?? null,
        output_template_slug: setTemplateOf(row.preset, params.output_template ?? null)?.slug ?? null,
        created_at: row.created_at,
        progress: { done: row.done, failed: row.failed, total: row.total, needs_review: row.needs_review },
      };
    }),
  );
  const last = page.at(-1);
  return { jobs, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
}
