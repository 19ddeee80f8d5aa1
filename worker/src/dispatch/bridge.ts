// The local stand-in for a Cloudflare queue with an HTTP pull consumer (local stack only).
// The Worker's queue consumer feeds it; GPU workers pull from it over the same HTTP API
// Cloudflare Queues serves (pull with batch size and visibility timeout; ack with acks and
// retries), so the GPU worker's queue_pull adapter is the same code locally and in production.
// State lives in this Durable Object's SQLite storage, so nothing is lost across restarts.
import { DurableObject } from "cloudflare:workers";
import type { PulledMessage, PullResult } from "@s3/contract";
import { keepsNoRefs, type Dispatcher } from "./dispatcher";

/** The one queue the bridge serves, named like the Cloudflare queue it stands in for. */
export const BRIDGE_QUEUE = "gpu-jobs";

export function bridgeStub(env: Env): DurableObjectStub<QueueBridge> {
  if (!env.QUEUE_BRIDGE) throw new Error("GPU_DISPATCH=bridge needs the QUEUE_BRIDGE binding");
  return env.QUEUE_BRIDGE.get(env.QUEUE_BRIDGE.idFromName(BRIDGE_QUEUE));
}

/** GPU_DISPATCH=bridge (local stack): each message waits in the bridge for a GPU worker to pull it. */
export function bridgeDispatcher(env: Env): Dispatcher {
  return {
    ...keepsNoRefs,
    async send(message, delivery) {
      await bridgeStub(env).enqueue(delivery.id, JSON.stringify(message));
    },
  };
}

export interface AckResult {
  ackCount: number;
  retryCount: number;
  warnings: Record<string, string>;
}

export interface BridgeStats {
  ready: number;
  leased: number;
  dead_lettered: number;
}

/** A message leased more than this many times goes to the dead-letter table. */
export const DEFAULT_MAX_DELIVERIES = 6;

export class QueueBridge extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id TEXT PRIMARY KEY,
      body TEXT NOT NULL,
      enqueued_at INTEGER NOT NULL,
      visible_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      lease_id TEXT
    )`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS messages_visible ON messages (visible_at, enqueued_at)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
      id TEXT PRIMARY KEY, body TEXT NOT NULL, attempts INTEGER NOT NULL, dead_at INTEGER NOT NULL
    )`);
  }

  /** Adds a message; `id` makes a redelivered push from the upstream queue a no-op. */
  enqueue(id: string, body: string, delaySeconds = 0): void {
    const now = Date.now();
    this.sql.exec(
      `INSERT OR IGNORE INTO messages (id, body, enqueued_at, visible_at) VALUES (?, ?, ?, ?)`,
      id,
      body,
      now,
      now + delaySeconds * 1000,
    );
  }

  /**
   * Leases up to `batchSize` visible messages for `visibilityTimeoutMs`. A lease that runs
   * out makes its message visible again (at least once); past `maxDeliveries` leases the
   * message is dead-lettered instead of delivered again.
   */
  pull(batchSize: number, visibilityTimeoutMs: number, maxDeliveries = DEFAULT_MAX_DELIVERIES): PullResult<string> {
    const now = Date.now();
    const due = this.sql
      .exec<{ id: string; body: string; enqueued_at: number; attempts: number }>(
        `SELECT id, body, enqueued_at, attempts FROM messages ` +
          `WHERE visible_at <= ? ORDER BY visible_at, enqueued_at LIMIT ?`,
        now,
        Math.max(0, batchSize),
      )
      .toArray();
    const messages: PulledMessage<string>[] = [];
    for (const row of due) {
      if (row.attempts >= maxDeliveries) {
        this.deadLetter(row.id, row.body, row.attempts, now);
        continue;
      }
      const leaseId = crypto.randomUUID();
      const attempts = row.attempts + 1;
      this.sql.exec(
        `UPDATE messages SET lease_id = ?, attempts = ?, visible_at = ? WHERE id = ?`,
        leaseId,
        attempts,
        now + visibilityTimeoutMs,
        row.id,
      );
      messages.push({
        id: row.id,
        lease_id: leaseId,
        body: row.body,
        attempts,
        timestamp_ms: row.enqueued_at,
        metadata: {},
      });
    }
    return { message_backlog_count: this.count(`visible_at <= ${now}`), messages };
  }

  /** Acks delete; retries make the message visible again after their delay. Stale leases are warned about. */
  ack(acks: { lease_id: string }[], retries: { lease_id: string; delay_seconds?: number }[]): AckResult {
    const now = Date.now();
    const result: AckResult = { ackCount: 0, retryCount: 0, warnings: {} };
    for (const { lease_id } of acks) {
      const changed = this.sql.exec(`DELETE FROM messages WHERE lease_id = ?`, lease_id).rowsWritten;
      if (changed > 0) result.ackCount += 1;
      else result.warnings[lease_id] = "unknown or expired lease";
    }
    for (const { lease_id, delay_seconds = 0 } of retries) {
      const changed = this.sql.exec(
        `UPDATE messages SET lease_id = NULL, visible_at = ? WHERE lease_id = ?`,
        now + delay_seconds * 1000,
        lease_id,
      ).rowsWritten;
      if (changed > 0) result.retryCount += 1;
      else result.warnings[lease_id] = "unknown or expired lease";
    }
    return result;
  }

  stats(): BridgeStats {
    const now = Date.now();
    return {
      ready: this.count(`visible_at <= ${now}`),
      leased: this.count(`visible_at > ${now} AND lease_id IS NOT NULL`),
      dead_lettered: this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM dead_letters`).one().n,
    };
  }

  deadLetters(): { id: string; body: string; attempts: number }[] {
    return this.sql
      .exec<{ id: string; body: string; attempts: number }>(
        `SELECT id, body, attempts FROM dead_letters ORDER BY dead_at`,
      )
      .toArray();
  }

  private deadLetter(id: string, body: string, attempts: number, now: number): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO dead_letters (id, body, attempts, dead_at) VALUES (?, ?, ?, ?)`,
      id,
      body,
      attempts,
      now,
    );
    this.sql.exec(`DELETE FROM messages WHERE id = ?`, id);
  }

  private count(where: string): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE ${where}`).one().n;
  }
}
