// One user's Idempotency-Key records (docs/retries.md), in the UserLimiter's SQLite. Each method is
// synchronous, so two requests with one key are ordered by the Durable Object: one proceeds, the
// other waits for its answer. Only 2xx answers are kept; any other answer frees the key for a retry.

/** Keys are answered from memory for at least this long. */
export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;
/** How long a request holds its key before a retry may take over (the first one died mid-flight). */
export const IDEMPOTENCY_LEASE_MS = 10_000;

export type IdempotencyStart =
  /** Go ahead; `resource_id` is the id to create (the same one on a takeover), null when none was asked. */
  | { kind: "proceed"; resource_id: string | null }
  | { kind: "replay"; status: number; data_json: string }
  /** Another request with this key is still running. */
  | { kind: "in_flight" }
  /** The key was used with a different request. */
  | { kind: "conflict" };

interface KeyRow extends Record<string, SqlStorageValue> {
  fingerprint: string;
  resource_id: string | null;
  status: number | null;
  data_json: string | null;
  lease_until: number;
}

export class IdempotencyKeys {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, resource_id TEXT,
        status INTEGER, data_json TEXT, lease_until INTEGER NOT NULL, created_ms INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_ms);
    `);
  }

  start(key: string, fingerprint: string, resourceId: string | null, now = Date.now()): IdempotencyStart {
    this.sql.exec("DELETE FROM idempotency_keys WHERE created_ms < ?", now - IDEMPOTENCY_KEEP_MS);
    const row = this.sql
      .exec<KeyRow>(
        "SELECT fingerprint, resource_id, status, data_json, lease_until FROM idempotency_keys WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (!row) {
      this.sql.exec(
        "INSERT INTO idempotency_keys (key, fingerprint, resource_id, status, data_json, lease_until, created_ms) " +
          "VALUES (?, ?, ?, NULL, NULL, ?, ?)",
        key,
        fingerprint,
        resourceId,
        now + IDEMPOTENCY_LEASE_MS,
        now,
      );
      return { kind: "proceed", resource_id: resourceId };
    }
    if (row.fingerprint !== fingerprint) return { kind: "conflict" };
    if (row.status !== null) return { kind: "replay", status: row.status, data_json: row.data_json! };
    if (row.lease_until > now) return { kind: "in_flight" };
    this.sql.exec("UPDATE idempotency_keys SET lease_until = ? WHERE key = ?", now + IDEMPOTENCY_LEASE_MS, key);
    return { kind: "proceed", resource_id: row.resource_id };
  }

  finish(key: string, fingerprint: string, status: number, dataJson: string): void {
    this.sql.exec(
      "UPDATE idempotency_keys SET status = ?, data_json = ? WHERE key = ? AND fingerprint = ? AND status IS NULL",
      status,
      dataJson,
      key,
      fingerprint,
    );
  }

  /** The request failed and changed nothing: a retry with this key runs afresh. */
  release(key: string, fingerprint: string): void {
    this.sql.exec(
      "DELETE FROM idempotency_keys WHERE key = ? AND fingerprint = ? AND status IS NULL",
      key,
      fingerprint,
    );
  }
}
