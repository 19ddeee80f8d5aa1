// Settlement, in the billing-outbox manner (../billing-outbox.ts): a finished job is told to the
// UserLimiter (charge or refund) and to D1 (its history). Both sides are idempotent, so a failure is
// retried by the job's alarm until both have it; `settled` records that they have.
import { isFinalJobStatus, needsReview, type ItemStatus, type JobStatus } from "@s3/contract";
import { writeEndedJob } from "../../db/jobs-log";
import { userLimiter } from "../../lib/durable";
import type { JobRow, JobStore } from "./store";

const SETTLE_RETRY_MS = 30_000;

export class Settlement {
  private settling: Promise<void> | null = null;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: JobStore,
    private readonly env: Env,
    /** What follows a settlement: the retention wait. */
    private readonly afterSettled: (job: JobRow) => Promise<void>,
  ) {}

  /** Settles a finished job once; concurrent calls share one attempt. */
  settle(): Promise<void> {
    this.settling ??= this.settleOnce().finally(() => {
      this.settling = null;
    });
    return this.settling;
  }

  private async settleOnce(): Promise<void> {
    const job = this.store.job();
    if (!job || job.settled || !isFinalJobStatus(job.status as JobStatus)) return;
    try {
      await this.storage.deleteAlarm();
      const done = this.store.countItems("done");
      const failed = this.store.countItems("failed");
      const limiter = userLimiter(this.env, job.user_id);
      const outcome =
        job.status === "canceled"
          ? await limiter.rollback(job.job_id, job.total - done)
          : await limiter.commit(job.job_id, done, failed);
      if (!outcome.ok) throw new Error(`UserLimiter refused the settlement: ${outcome.code}`);
      await this.writeLog(job);
      this.store.markSettled();
      await this.afterSettled(this.store.current());
    } catch (error) {
      console.error("job settlement failed, retrying by alarm", error);
      await this.storage.setAlarm(Date.now() + SETTLE_RETRY_MS);
    }
  }

  /** The job's jobs_log row and every job_items_log row; the route wrote the row at create. */
  private async writeLog(job: JobRow): Promise<void> {
    const items = this.store.items();
    const reports = this.store.reports();
    const failedItem = items.find((item) => item.status === "failed");
    await writeEndedJob(
      this.env.DB,
      {
        job_id: job.job_id,
        user_id: job.user_id,
        created_at: job.created_at,
        finished_at: job.finished_at,
        status: job.status as JobStatus,
        preset: job.preset,
        rule_id: job.rule_id,
        concepts_json: job.concepts_json,
        protect_json: job.protect_json,
        params_json: JSON.stringify({
          item_count: job.total,
          output_template: job.output_template,
          watermark: job.watermark === 1,
          attempts: job.attempt,
          dispatch_refs: this.store.dispatchRefs(job),
        }),
        cost_estimate: job.total,
        error:
          job.status === "canceled" ? job.cancel_reason : job.status === "failed" ? (failedItem?.error ?? null) : null,
      },
      items.map((item) => ({
        job_id: job.job_id,
        idx: item.idx,
        status: item.status as ItemStatus,
        input_key: item.input_key,
        output_key: item.status === "done" ? item.output_key : null,
        error: item.error,
        // The report's flags (docs/reports.md); null for an item without a report.
        flags_json: reports.has(item.idx) ? JSON.stringify(reports.get(item.idx)!.flags) : null,
        needs_review: needsReview(reports.get(item.idx)) ? 1 : 0,
      })),
    );
  }
}
