// The UserLimiter's count of the mask cache's readers (docs/storage.md, Mask cache): which of the
// user's jobs read each input's bytes (by SHA-256). When a job's objects are purged its references
// go; a SHA-256 no job references any more has its cache folder deleted by the purging JobCoordinator.

export class CacheRefs {
  constructor(private readonly sql: SqlStorage) {
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS cache_refs " +
        "(sha256 TEXT NOT NULL, job_id TEXT NOT NULL, PRIMARY KEY (sha256, job_id))",
    );
  }

  /** Synchronous and repeatable. */
  add(jobId: string, sha256s: readonly string[]): void {
    for (const sha256 of sha256s) {
      this.sql.exec("INSERT OR IGNORE INTO cache_refs (sha256, job_id) VALUES (?, ?)", sha256, jobId);
    }
  }

  /** Drops the job's references; answers those of `sha256s` no other job references now. */
  release(jobId: string, sha256s: readonly string[]): string[] {
    this.sql.exec("DELETE FROM cache_refs WHERE job_id = ?", jobId);
    return [...new Set(sha256s)].filter(
      (sha256) => this.sql.exec("SELECT 1 FROM cache_refs WHERE sha256 = ? LIMIT 1", sha256).toArray().length === 0,
    );
  }
}
