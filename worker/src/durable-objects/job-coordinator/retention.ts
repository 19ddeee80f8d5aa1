// Retention (docs/trust.md, "Retention" and "Deleted means deleted"): a finished job's objects leave R2
// on DELETE /jobs/{id}, RETENTION_DAYS after it finished, or at once for a job canceled before it ran;
// each purge leaves a tombstone whose sweep deletes what was written after it. The job and its billing stay.
import type { Config } from "../../config";
import { deleteJobObjects, retentionDueMs } from "../../lib/purge";
import { leaveTombstone, markSwept, sweepDueMs } from "./purge-tombstone";
import type { JobRow, JobStore } from "./store";

export class Retention {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: JobStore,
    private readonly bucket: R2Bucket,
    private readonly config: () => Config,
  ) {}

  /** A settled job's objects go when due, and a purged job's late writes at the sweep; the alarm waits for either. */
  async retain(job: JobRow): Promise<void> {
    if (this.store.deletedAt() !== null) return this.sweepTombstone(job);
    if (job.finished_at === null) return;
    const due = retentionDueMs(job.finished_at, this.config().jobs.retentionDays);
    if (Date.now() < due) await this.storage.setAlarm(due);
    else await this.deleteObjects(job);
  }

  /** Deletes the job's objects now and leaves the tombstone; repeatable. */
  async deleteObjects(job: JobRow): Promise<void> {
    await deleteJobObjects(this.bucket, job.user_id, job.job_id);
    this.store.markDeleted();
    const sweepAt = leaveTombstone(this.store.sql, this.config());
    // An unsettled job's alarm retries the settlement first, which then comes back here through retain.
    if (this.store.current().settled) await this.storage.setAlarm(sweepAt);
  }

  /** A late result for a purged job: what it just wrote goes too. */
  async deleteLateWrites(job: JobRow): Promise<void> {
    await deleteJobObjects(this.bucket, job.user_id, job.job_id);
  }

  /** The second purge, once nothing can write under the job any more (purge-tombstone.ts). */
  private async sweepTombstone(job: JobRow): Promise<void> {
    const due = sweepDueMs(this.store.sql);
    if (due === null) return;
    if (Date.now() < due) {
      await this.storage.setAlarm(due);
      return;
    }
    await deleteJobObjects(this.bucket, job.user_id, job.job_id);
    markSwept(this.store.sql);
  }
}
