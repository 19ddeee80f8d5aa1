// Deleted means deleted (docs/trust.md, "Retention"): after a job's objects are purged, a still-valid
// upload URL or a GPU worker still busy with an item can write under the job again. The purge leaves a
// tombstone; a second sweep, once the longest upload URL or lease has run out, deletes what came after.
import type { Config } from "../../config";

export const TOMBSTONE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS purge_tombstone (
    id INTEGER PRIMARY KEY CHECK (id = 1), sweep_at_ms INTEGER NOT NULL, swept_at TEXT
  );`;

/** A minute past the longest time anything may still write: an upload URL, or a GPU worker's lease. */
export function tombstoneDelayMs(config: Config): number {
  return Math.max(config.storage.uploadUrlTtlSec, config.jobs.leaseSec) * 1000 + 60_000;
}

/** Records (or moves later) the sweep after a purge; returns when it is due. */
export function leaveTombstone(sql: SqlStorage, config: Config, nowMs = Date.now()): number {
  const sweepAt = nowMs + tombstoneDelayMs(config);
  sql.exec("INSERT OR REPLACE INTO purge_tombstone (id, sweep_at_ms, swept_at) VALUES (1, ?, NULL)", sweepAt);
  return sweepAt;
}

/** When the sweep is due, or null once it ran (or no purge left one). */
export function sweepDueMs(sql: SqlStorage): number | null {
  const row = sql
    .exec<{ sweep_at_ms: number }>("SELECT sweep_at_ms FROM purge_tombstone WHERE id = 1 AND swept_at IS NULL")
    .toArray()[0];
  return row?.sweep_at_ms ?? null;
}

export function markSwept(sql: SqlStorage, now = new Date().toISOString()): void {
  sql.exec("UPDATE purge_tombstone SET swept_at = ? WHERE id = 1", now);
}
