// Retention (docs/trust.md, "Retention" and "Deleted means deleted"): a finished job's objects leave R2
// on DELETE /jobs/{id}, RETENTION_DAYS after it finished, or at once for a job canceled before it ran;
// each purge leaves a tombstone whose sweep deletes what was written after it. The job and its billing stay.
import type { Config } from "../../config";
import { deleteJobObjects, retentionDueMs } from "../../lib/purge";
import type { JobRow, JobStore } from "./store";

/**
 * A deleted job can still be written to: a still-valid upload URL, a GPU worker busy with an item. The sweep
 * waits for the longer of the two lifetimes, and a minute, after which nothing valid can write there.
 */
export function tombstoneDelayMs(config: Config): number {
  return Math.max(config.storage.uploadUrlTtlSec, config.jobs.leaseSec) * 1000 + 60_000;
}

export class Retention {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: JobStore,
    private readonly bucket: R2Bucket,
    private readonly config: () => Config,
    /** After each purge: the mask cache of bytes no other job reads goes too (docs/storage.md). */
    private readonly releaseCache: (job: JobRow, also?: readonly string[]) => Promise<void>,
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
    await this.releaseCache(job);
    this.store.markDeleted();
    const sweepAt = Date.now() + tombstoneDelayMs(this.config());
    this.store.leaveTombstone(sweepAt);
    // An unsettled job's alarm retries the settlement first, which then comes back here through retain.
    if (this.store.current().settled) await this.storage.setAlarm(sweepAt);
  }

  /** A late result for a purged job: what it just wrote goes too, its cache entries included. */
  async deleteLateWrites(job: JobRow, sha256?: string): Promise<void> {
    await deleteJobObjects(this.bucket, job.user_id, job.job_id);
    await this.releaseCache(job, sha256 === undefined ? [] : [sha256]);
  }

  /** The second purge, once nothing can write under the job any more. */
  private async sweepTombstone(job: JobRow): Promise<void> {
    const due = this.store.sweepDueMs();
    if (due === null) return;
    if (Date.now() < due) {
      await this.storage.setAlarm(due);
      return;
    }
    await deleteJobObjects(this.bucket, job.user_id, job.job_id);
    await this.releaseCache(job);
    this.store.markSwept();
  }
}
