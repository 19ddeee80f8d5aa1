// Retention (docs/trust.md, "Retention"): a finished job's objects leave R2 on DELETE /jobs/{id}, or
// RETENTION_DAYS after it finished; the job and its billing stay.
import { deleteJobObjects, retentionDueMs } from "../../lib/purge";
import type { JobRow, JobStore } from "./store";

export class Retention {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: JobStore,
    private readonly bucket: R2Bucket,
    private readonly retentionDays: () => number,
  ) {}

  /** A settled job's objects go when due; until then the alarm waits for it. */
  async retain(job: JobRow): Promise<void> {
    if (this.store.deletedAt() !== null || job.finished_at === null) return;
    const due = retentionDueMs(job.finished_at, this.retentionDays());
    if (Date.now() < due) await this.storage.setAlarm(due);
    else await this.deleteObjects(job);
  }

  /** Deletes the job's objects now; repeatable. */
  async deleteObjects(job: JobRow): Promise<void> {
    await deleteJobObjects(this.bucket, job.user_id, job.job_id);
    this.store.markDeleted();
  }
}
