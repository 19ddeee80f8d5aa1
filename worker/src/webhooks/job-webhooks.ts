// One job's webhook and its deliveries (docs/webhooks.md), kept in the JobCoordinator's SQLite: the
// events a change calls for are recorded once each (one webhook-id per event), handed to the webhooks
// queue, and each attempt's answer decides delivered, another try after the backoff, or failed.
import {
  WEBHOOK_BACKOFF_SEC,
  WEBHOOK_BODY_MAX,
  WEBHOOK_TYPES,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookEvent,
  type WebhookRequest,
  type WebhookTask,
  type WebhookType,
} from "@s3/contract";

export const JOB_WEBHOOKS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS webhook (
    id INTEGER PRIMARY KEY CHECK (id = 1), url TEXT NOT NULL, events_json TEXT NOT NULL, gone INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL UNIQUE, event_key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL, round INTEGER NOT NULL,
    status TEXT NOT NULL, last_status INTEGER, next_attempt_ms INTEGER, enqueued INTEGER NOT NULL
  );
`;

export type WebhookDeliveryView = WebhookDelivery;

/** What the consumer needs to attempt one delivery. */
export interface WebhookAttempt {
  url: string;
  body: string;
  /** Not before this (ms since epoch): a backoff longer than a queue delay may allow is waited out in steps. */
  not_before_ms: number;
}

/** A change the job went through: its status now and, for a callback, the item it recorded. */
export interface JobChange {
  final: boolean;
  item?: { idx: number; status: string };
}

interface HookRow extends Record<string, SqlStorageValue> {
  url: string;
  events_json: string;
  gone: number;
}

interface DeliveryRow extends Record<string, SqlStorageValue> {
  webhook_id: string;
  type: string;
  body: string;
  attempts: number;
  round: number;
  status: string;
  last_status: number | null;
  next_attempt_ms: number | null;
}

function newWebhookId(): string {
  return `msg_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** The body: `{type, timestamp, data}`, without `data.items` where it would not stay under the limit. */
function deliveryBody(type: WebhookType, data: Record<string, unknown>): string {
  const timestamp = new Date().toISOString();
  const body = JSON.stringify({ type, timestamp, data });
  if (body.length < WEBHOOK_BODY_MAX) return body;
  const { items: _left, ...rest } = data;
  return JSON.stringify({ type, timestamp, data: rest });
}

export class JobWebhooks {
  constructor(
    private readonly sql: SqlStorage,
    private readonly queue: () => Queue<WebhookTask>,
    /** WEBHOOK_BACKOFF_SCALE: 1 in production, a small fraction in tests. */
    private readonly backoffScale: () => number,
  ) {}

  /** At execute: where this job's events go, or nowhere. */
  configure(webhook: WebhookRequest | null): void {
    this.sql.exec("DELETE FROM webhook");
    if (webhook) {
      this.sql.exec(
        "INSERT INTO webhook (id, url, events_json, gone) VALUES (1, ?, ?, 0)",
        webhook.url,
        JSON.stringify(webhook.events),
      );
    }
  }

  /** Records the deliveries `change` calls for (synchronously; each event once). True when any was new. */
  record(change: JobChange, data: () => Record<string, unknown>): boolean {
    const hook = this.hook();
    if (!hook || hook.gone) return false;
    const events = JSON.parse(hook.events_json) as WebhookEvent[];
    const wanted: [key: string, event: WebhookEvent][] = [];
    if (change.item && (change.item.status === "done" || change.item.status === "failed")) {
      wanted.push([`item:${change.item.idx}`, "item"]);
    }
    if (change.final) wanted.push(["end", "end"]);
    let recorded = false;
    for (const [key, event] of wanted) {
      if (!events.includes(event)) continue;
      const type = WEBHOOK_TYPES[event];
      const body = deliveryBody(type, event === "item" ? { ...data(), item: change.item } : data());
      const cursor = this.sql.exec(
        "INSERT OR IGNORE INTO webhook_deliveries (webhook_id, event_key, type, body, attempts, round, status, " +
          "last_status, next_attempt_ms, enqueued) VALUES (?, ?, ?, ?, 0, 0, 'pending', NULL, NULL, 0)",
        newWebhookId(),
        key,
        type,
        body,
      );
      recorded ||= cursor.rowsWritten > 0;
    }
    return recorded;
  }

  /** Hands every pending delivery not yet queued to the webhooks queue. */
  async enqueue(jobId: string): Promise<void> {
    const ids = this.sql
      .exec<{ webhook_id: string }>(
        "SELECT webhook_id FROM webhook_deliveries WHERE status = 'pending' AND enqueued = 0 ORDER BY seq",
      )
      .toArray()
      .map((row) => row.webhook_id);
    if (ids.length === 0) return;
    // Marked first, so a concurrent enqueue does not send them twice; unmarked if the send fails.
    for (const id of ids) this.sql.exec("UPDATE webhook_deliveries SET enqueued = 1 WHERE webhook_id = ?", id);
    try {
      await this.queue().sendBatch(ids.map((webhook_id) => ({ body: { job_id: jobId, webhook_id } })));
    } catch (error) {
      for (const id of ids) this.sql.exec("UPDATE webhook_deliveries SET enqueued = 0 WHERE webhook_id = ?", id);
      throw error;
    }
  }

  /** The delivery to attempt, or null when it is no longer pending. */
  attempt(webhookId: string): WebhookAttempt | null {
    const hook = this.hook();
    const row = this.delivery(webhookId);
    if (!hook || !row || row.status !== "pending") return null;
    return { url: hook.url, body: row.body, not_before_ms: row.next_attempt_ms ?? 0 };
  }

  /**
   * One attempt's answer (null: no answer, a timeout or a refused address). Answers how many seconds
   * until the next attempt, or null when the delivery is settled (delivered, failed, or the receiver is gone).
   */
  recordAttempt(webhookId: string, httpStatus: number | null, now = Date.now()): { retry_in_sec: number | null } {
    const row = this.delivery(webhookId);
    if (!row || row.status !== "pending") return { retry_in_sec: null };
    const attempts = row.attempts + 1;
    const round = row.round + 1;
    const settle = (status: WebhookDeliveryStatus) =>
      this.sql.exec(
        "UPDATE webhook_deliveries SET status = ?, attempts = ?, round = ?, last_status = ?, next_attempt_ms = NULL " +
          "WHERE webhook_id = ?",
        status,
        attempts,
        round,
        httpStatus,
        webhookId,
      );
    if (httpStatus !== null && httpStatus >= 200 && httpStatus < 300) {
      settle("delivered");
      return { retry_in_sec: null };
    }
    if (httpStatus === 410) {
      // The receiver says it wants nothing more about this job.
      settle("failed");
      this.sql.exec("UPDATE webhook SET gone = 1");
      this.sql.exec("UPDATE webhook_deliveries SET status = 'failed', next_attempt_ms = NULL WHERE status = 'pending'");
      return { retry_in_sec: null };
    }
    const backoff = WEBHOOK_BACKOFF_SEC[round - 1];
    if (backoff === undefined) {
      settle("failed");
      return { retry_in_sec: null };
    }
    const retryInSec = Math.round(backoff * this.backoffScale());
    this.sql.exec(
      "UPDATE webhook_deliveries SET attempts = ?, round = ?, last_status = ?, next_attempt_ms = ? " +
        "WHERE webhook_id = ?",
      attempts,
      round,
      httpStatus,
      now + retryInSec * 1000,
      webhookId,
    );
    return { retry_in_sec: retryInSec };
  }

  /** The dead-letter queue's verdict: the delivery could not be attempted at all. */
  fail(webhookId: string): void {
    this.sql.exec(
      "UPDATE webhook_deliveries SET status = 'failed', next_attempt_ms = NULL " +
        "WHERE webhook_id = ? AND status = 'pending'",
      webhookId,
    );
  }

  list(): WebhookDeliveryView[] {
    return this.sql
      .exec<DeliveryRow>(
        "SELECT webhook_id, type, body, attempts, round, status, last_status, next_attempt_ms " +
          "FROM webhook_deliveries ORDER BY seq",
      )
      .toArray()
      .map((row) => ({
        webhook_id: row.webhook_id,
        type: row.type as WebhookType,
        attempts: row.attempts,
        status: row.status as WebhookDeliveryStatus,
        last_status: row.last_status,
        next_attempt_at:
          row.status === "pending" && row.next_attempt_ms !== null ? new Date(row.next_attempt_ms).toISOString() : null,
      }));
  }

  /** Sends one delivery again with a fresh schedule; false for an unknown id. */
  replay(webhookId: string): boolean {
    if (!this.delivery(webhookId)) return false;
    this.sql.exec(
      "UPDATE webhook_deliveries SET status = 'pending', round = 0, next_attempt_ms = NULL, enqueued = 0 " +
        "WHERE webhook_id = ?",
      webhookId,
    );
    return true;
  }

  private hook(): HookRow | undefined {
    return this.sql.exec<HookRow>("SELECT url, events_json, gone FROM webhook").toArray()[0];
  }

  private delivery(webhookId: string): DeliveryRow | undefined {
    return this.sql
      .exec<DeliveryRow>(
        "SELECT webhook_id, type, body, attempts, round, status, last_status, next_attempt_ms " +
          "FROM webhook_deliveries WHERE webhook_id = ?",
        webhookId,
      )
      .toArray()[0];
  }
}
