// The UserLimiter's watch on its own holds (docs/trust.md, "Stranded reservations"): a request that
// dies between reserve and the JobCoordinator's create would hold credits and a slot forever. Each
// hold's time is recorded with it; the UserLimiter's alarm asks the JobCoordinator whether the job
// exists and releases a hold older than the grace whose job never appeared.
import { configOf } from "../config";
import { jobCoordinator } from "../lib/durable";

/** Far longer than reserve → create takes, and never past the job's own TTL. */
const HOLD_GRACE_MS = 5 * 60_000;

interface WatchedHold extends Record<string, SqlStorageValue> {
  job_id: string;
  reserved_at: number;
}

export class StrandedHolds {
  private readonly sql: SqlStorage;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS hold_watch (job_id TEXT PRIMARY KEY, reserved_at INTEGER NOT NULL)");
  }

  /** Synchronous, so it joins reserve's transaction. */
  watch(jobId: string): void {
    this.sql.exec("INSERT OR IGNORE INTO hold_watch (job_id, reserved_at) VALUES (?, ?)", jobId, Date.now());
  }

  /** Makes sure an alarm comes by the time the oldest watched hold passes its grace. */
  async schedule(): Promise<void> {
    const oldest = this.sql.exec<{ at: number | null }>("SELECT MIN(reserved_at) AS at FROM hold_watch").one().at;
    if (oldest === null) return;
    const due = oldest + this.graceMs();
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  /**
   * Past the grace: a job that exists is its JobCoordinator's to settle (the watch ends); a job that
   * never appeared is released through `release` (a rollback of everything reserved).
   */
  async sweep(isActive: (jobId: string) => boolean, release: (jobId: string) => Promise<void>): Promise<void> {
    const cutoff = Date.now() - this.graceMs();
    const due = this.sql
      .exec<WatchedHold>("SELECT job_id, reserved_at FROM hold_watch WHERE reserved_at <= ?", cutoff)
      .toArray();
    for (const { job_id } of due) {
      if (isActive(job_id) && !(await jobCoordinator(this.env, job_id).exists())) await release(job_id);
      this.sql.exec("DELETE FROM hold_watch WHERE job_id = ?", job_id);
    }
    await this.schedule();
  }

  private graceMs(): number {
    return Math.min(HOLD_GRACE_MS, configOf(this.env).jobs.ttlSec * 1000);
  }
}
