// One per job: the state machine of docs/state-machine.md, per-item results, idempotent callbacks
// and the job's one alarm — the TTL of an abandoned created/uploaded job, the lease of a
// queued/running one, or the retry of a finished job's settlement with D1 and the UserLimiter.
// Each transition is decided and written synchronously; awaits (queue, D1, UserLimiter) come after.
import { DurableObject } from "cloudflare:workers";
import {
  callbackBodySchema,
  idempotencyKey,
  itemErrorCode,
  MAX_ITEMS_PER_JOB,
  needsReview,
  FINAL_JOB_STATUSES,
  itemProgressOf,
  storageKeys,
  type CallbackBodyInput,
  type CallbackBody,
  type ItemStatus,
  type ProgressEvent,
  type JobStatus,
  type QueueMessage,
  type SnapshotEvent,
  type RuleAction,
  type SetFile,
  type Variant,
} from "@s3/contract";
import { getDb } from "../db";
import { jobItemsLog, jobsLog } from "../db/schema";
import { configOf, type Config } from "../config";
import { dispatcherFor, type ProviderStatus } from "../dispatch";
import { userLimiter } from "../lib/durable";
import { deleteJobObjects, retentionDueMs } from "../lib/purge";
import { foreignSetFile, setTemplateOf } from "../lib/set-files";
import { EVENTS_USER_HEADER, JobEvents } from "./job-events";
import {
  flagsJson,
  itemReport,
  itemReports,
  ITEM_REPORTS_SCHEMA,
  needsReviewCount,
  storeItemReport,
} from "./item-reports";
import type {
  CreateJobInput,
  ExecuteInput,
  InputPin,
  ItemSetFile,
  JobCoordinatorApi,
  JobItemView,
  JobProgressView,
  JobVersionView,
  JobView,
  Outcome,
  Refusal,
} from "./api";

/** How many idempotency keys are remembered; older repeats are still caught by "item already final". */
const SEEN_KEYS_KEPT = 1_000;
const SETTLE_RETRY_MS = 30_000;
/** job_items_log rows per INSERT: 8 bound parameters each, within D1's 100 per statement. */
const ITEM_ROWS_PER_INSERT = 12;
/** Storage key: until when the lease waits on a provider job that can still report (leaseHeld). */
const LEASE_HELD_UNTIL = "lease_held_until";

const FINAL: readonly JobStatus[] = FINAL_JOB_STATUSES;
const NOT_FOUND: Refusal = { ok: false, code: "JOB_NOT_FOUND" };
const INVALID_TRANSITION: Refusal = { ok: false, code: "INVALID_TRANSITION" };
const ALREADY_CANCELED: Refusal = { ok: false, code: "ALREADY_CANCELED" };

interface JobRow extends Record<string, SqlStorageValue> {
  job_id: string;
  user_id: string;
  status: string;
  preset: string;
  rule_id: string | null;
  concepts_json: string;
  protect_json: string;
  output_template: string | null;
  watermark: number;
  total: number;
  attempt: number;
  requeues: number;
  dispatch_refs_json: string;
  cancel_reason: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** 1 once the UserLimiter and D1 have both been told the job ended. */
  settled: number;
}

interface ItemRow extends Record<string, SqlStorageValue> {
  idx: number;
  status: string;
  input_key: string;
  output_key: string;
  preview_key: string;
  error: string | null;
}

export class JobCoordinator extends DurableObject<Env> implements JobCoordinatorApi {
  private readonly sql: SqlStorage;
  private settling: Promise<void> | null = null;
  private schemaReady = false;
  private readonly events = new JobEvents(this.ctx);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // No schema here: a read of a job id that was never created must write nothing (docs/trust.md).
  }

  /**
   * Every CREATE statement (add new tables here). Runs in `create`, and once per instance where the job
   * exists, so a table added later reaches old jobs too; never for an id that was never created.
   */
  private ensureSchema(): void {
    this.schemaReady = true;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS job (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        job_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL, preset TEXT NOT NULL,
        rule_id TEXT, concepts_json TEXT NOT NULL, protect_json TEXT NOT NULL, output_template TEXT,
        watermark INTEGER NOT NULL, total INTEGER NOT NULL, attempt INTEGER NOT NULL, requeues INTEGER NOT NULL,
        dispatch_refs_json TEXT NOT NULL, cancel_reason TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT, settled INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS items (
        idx INTEGER PRIMARY KEY, status TEXT NOT NULL, input_key TEXT NOT NULL,
        output_key TEXT NOT NULL, preview_key TEXT NOT NULL, error TEXT
      );
      CREATE TABLE IF NOT EXISTS seen_keys (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE);
      -- Each input as confirmed at upload (docs/trust.md): the GPU worker reads exactly this.
      CREATE TABLE IF NOT EXISTS input_pins (idx INTEGER PRIMARY KEY, size INTEGER NOT NULL, etag TEXT NOT NULL);
      -- Set once the job's objects were deleted from R2 (docs/trust.md, "Retention").
      CREATE TABLE IF NOT EXISTS purge (id INTEGER PRIMARY KEY CHECK (id = 1), deleted_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS variants (pos INTEGER PRIMARY KEY, name TEXT NOT NULL, concepts_json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS item_files (
        idx INTEGER NOT NULL, pos INTEGER NOT NULL, role TEXT NOT NULL, part TEXT NOT NULL, variant TEXT,
        key TEXT NOT NULL UNIQUE, width INTEGER NOT NULL, height INTEGER NOT NULL, bytes INTEGER NOT NULL,
        content_type TEXT NOT NULL, PRIMARY KEY (idx, pos)
      );
      ${ITEM_REPORTS_SCHEMA}
    `);
  }

  /** Whether `create` ever ran here; a read-only look at sqlite_master until it has. */
  private hasSchema(): boolean {
    if (this.schemaReady) return true;
    const created = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job'").toArray();
    if (created.length > 0) this.ensureSchema();
    return this.schemaReady;
  }

  async create(input: CreateJobInput): Promise<Outcome<{ job: JobView }>> {
    this.ensureSchema();
    const existing = this.jobRow();
    if (existing) {
      // A retried create for the same job answers the job; any other reuse of the id is refused.
      return existing.user_id === input.user_id ? { ok: true, job: this.view(existing) } : INVALID_TRANSITION;
    }
    if (!Number.isInteger(input.item_count) || input.item_count < 1 || input.item_count > MAX_ITEMS_PER_JOB) {
      return { ok: false, code: "VALIDATION_ERROR", message: `item_count must be 1..${MAX_ITEMS_PER_JOB}` };
    }
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO job (id, job_id, user_id, status, preset, rule_id, concepts_json, protect_json, output_template,
           watermark, total, attempt, requeues, dispatch_refs_json, cancel_reason, created_at, updated_at,
           finished_at, settled)
         VALUES (1, ?, ?, 'created', ?, NULL, '{}', '[]', NULL, ?, ?, 0, 0, '[]', NULL, ?, ?, NULL, 0)`,
        input.job_id,
        input.user_id,
        input.preset,
        input.watermark ? 1 : 0,
        input.item_count,
        now,
        now,
      );
      for (let idx = 0; idx < input.item_count; idx++) {
        this.sql.exec(
          "INSERT INTO items (idx, status, input_key, output_key, preview_key, error) " +
            "VALUES (?, 'pending', ?, ?, ?, NULL)",
          idx,
          storageKeys.input(input.user_id, input.job_id, idx),
          storageKeys.output(input.user_id, input.job_id, idx),
          storageKeys.preview(input.user_id, input.job_id, idx),
        );
      }
    });
    await this.ctx.storage.setAlarm(Date.now() + this.ttlMs());
    return { ok: true, job: this.view(this.jobRow()!) };
  }

  /** Whether `create` ran here; reads only (the UserLimiter asks it about holds, docs/trust.md). */
  async exists(): Promise<boolean> {
    return this.jobRow() !== undefined;
  }

  async get(userId: string): Promise<Outcome<{ job: JobView }>> {
    const job = this.ownJob(userId);
    return job ? { ok: true, job: this.view(job) } : NOT_FOUND;
  }

  async version(userId: string): Promise<Outcome<{ job: JobVersionView }>> {
    const job = this.ownJob(userId);
    return job ? { ok: true, job: { ...this.progressView(job), updated_at: job.updated_at } } : NOT_FOUND;
  }

  async confirmUpload(userId: string, pins: InputPin[] = []): Promise<Outcome<{ job: JobView }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (job.status !== "created") return INVALID_TRANSITION;
    this.ctx.storage.transactionSync(() => {
      for (const pin of pins) {
        this.sql.exec(
          "INSERT OR REPLACE INTO input_pins (idx, size, etag) VALUES (?, ?, ?)",
          pin.idx,
          pin.size,
          pin.etag,
        );
      }
      this.setStatus("uploaded");
    });
    this.publish();
    // The TTL restarts: an uploaded job may wait a full TTL for its rule.
    await this.ctx.storage.setAlarm(Date.now() + this.ttlMs());
    return { ok: true, job: this.view(this.jobRow()!) };
  }

  async execute(userId: string, input: ExecuteInput): Promise<Outcome<{ job: JobView; message: QueueMessage }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (job.status === "canceled") return ALREADY_CANCELED;
    if (job.status !== "uploaded") return INVALID_TRANSITION;

    // Queued before the send, so a concurrent execute or cancel sees the new status while we await.
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        "UPDATE job SET status = 'queued', rule_id = ?, concepts_json = ?, protect_json = ?, output_template = ?, " +
          "attempt = 1, updated_at = ? WHERE id = 1",
        input.rule_id,
        JSON.stringify(input.concepts),
        JSON.stringify(input.protect),
        input.output_template,
        new Date().toISOString(),
      );
      this.sql.exec("DELETE FROM variants");
      (input.variants ?? []).forEach((variant, pos) =>
        this.sql.exec(
          "INSERT INTO variants (pos, name, concepts_json) VALUES (?, ?, ?)",
          pos,
          variant.name,
          JSON.stringify(variant.concepts),
        ),
      );
    });
    this.publish();
    const message = this.message(this.jobRow()!, this.items());
    try {
      await this.env.GPU_JOBS.send(message);
    } catch (error) {
      const now = this.jobRow()!;
      if (now.status === "queued") this.setStatus("uploaded");
      this.publish();
      throw error;
    }
    await this.ctx.storage.setAlarm(Date.now() + this.leaseMs());
    return { ok: true, job: this.view(this.jobRow()!), message };
  }

  async callback(body: CallbackBodyInput): Promise<Outcome<{ job: JobProgressView; recorded: boolean }>> {
    const job = this.jobRow();
    if (!job) return NOT_FOUND;
    if (job.status === "canceled") return { ok: true, job: this.progressView(job), recorded: false };
    if (job.status === "created" || job.status === "uploaded") return INVALID_TRANSITION;

    const parsed = callbackBodySchema.safeParse(body);
    if (!parsed.success) return { ok: false, code: "VALIDATION_ERROR", message: parsed.error.issues[0]?.message };
    const report = parsed.data;
    const reportKey = report.idempotency_key ?? idempotencyKey(job.job_id, report.idx, job.attempt);
    const item = this.item(report.idx);
    if (!item) return { ok: false, code: "VALIDATION_ERROR", message: `idx must be 0..${job.total - 1}` };
    if (
      (report.output_key !== null && report.output_key !== item.output_key) ||
      (report.preview_key !== null && report.preview_key !== item.preview_key)
    ) {
      return {
        ok: false,
        code: "VALIDATION_ERROR",
        message: "output_key and preview_key must be this item's own keys",
      };
    }
    const files = report.status === "done" ? this.templateFiles(job, report) : [];
    if (!Array.isArray(files)) return files;

    const recorded = this.ctx.storage.transactionSync(() => {
      const seen = this.sql.exec("SELECT 1 FROM seen_keys WHERE key = ?", reportKey).toArray().length > 0;
      if (seen) return false;
      this.sql.exec("INSERT INTO seen_keys (key) VALUES (?)", reportKey);
      this.sql.exec("DELETE FROM seen_keys WHERE seq <= (SELECT MAX(seq) FROM seen_keys) - ?", SEEN_KEYS_KEPT);
      if (item.status !== "pending") return false;
      this.sql.exec(
        "UPDATE items SET status = ?, error = ? WHERE idx = ?",
        report.status,
        report.status === "failed" ? itemErrorCode(report.error_code) : null,
        report.idx,
      );
      // With the item's status, so a done item always has its whole set (docs/sets.md).
      files.forEach((file, pos) =>
        this.sql.exec(
          `INSERT INTO item_files (idx, pos, role, part, variant, key, width, height, bytes, content_type)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          report.idx,
          pos,
          file.role,
          file.part,
          file.variant,
          file.key,
          file.width,
          file.height,
          file.bytes,
          file.content_type,
        ),
      );
      if (report.status === "done" && report.report) storeItemReport(this.sql, report.idx, report.report);
      if (job.status === "queued") this.setStatus("running");
      return true;
    });
    if (!recorded) return { ok: true, job: this.progressView(this.jobRow()!), recorded: false };

    const ended = this.finishIfComplete();
    this.publish(report.idx);
    if (ended) {
      await this.settle();
    } else {
      // Progress pushes the lease forward.
      await this.ctx.storage.setAlarm(Date.now() + this.leaseMs());
    }
    return { ok: true, job: this.progressView(this.jobRow()!), recorded: true };
  }

  async cancel(userId: string): Promise<Outcome<{ job: JobView; refunded: number }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (job.status === "canceled") return ALREADY_CANCELED;
    if (FINAL.includes(job.status as JobStatus)) return INVALID_TRANSITION;
    const refunded = this.cancelNow("CANCELED");
    await this.settle();
    return { ok: true, job: this.view(this.jobRow()!), refunded };
  }

  async set(userId: string | null): Promise<Outcome<{ job: JobView; files: ItemSetFile[] }>> {
    const job = userId === null ? this.jobRow() : this.ownJob(userId);
    if (!job) return NOT_FOUND;
    const files = this.sql
      .exec<ItemSetFile & Record<string, SqlStorageValue>>(
        "SELECT idx, role, part, variant, key, width, height, bytes, content_type FROM item_files ORDER BY idx, pos",
      )
      .toArray();
    return { ok: true, job: this.view(job), files };
  }

  /** DELETE /jobs/{id}: a finished job's objects leave R2; the job and its billing stay. Repeatable. */
  async purge(userId: string): Promise<Outcome<{ job: JobView }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (!FINAL.includes(job.status as JobStatus)) return INVALID_TRANSITION;
    await this.deleteObjects(job);
    return { ok: true, job: this.view(this.jobRow()!) };
  }

  async recordDispatch(ref: string): Promise<Outcome> {
    const job = this.jobRow();
    if (!job) return NOT_FOUND;
    const refs = JSON.parse(job.dispatch_refs_json) as string[];
    if (!refs.includes(ref)) {
      this.sql.exec("UPDATE job SET dispatch_refs_json = ? WHERE id = 1", JSON.stringify([...refs, ref]));
    }
    return { ok: true };
  }

  /** GET /jobs/{id}/events, forwarded by the route with the authenticated user (docs/events.md). */
  override async fetch(request: Request): Promise<Response> {
    const job = this.ownJob(request.headers.get(EVENTS_USER_HEADER) ?? "");
    if (!job) return new Response(null, { status: 404 });
    return this.events.open(request, this.snapshot(job));
  }

  override async webSocketMessage(): Promise<void> {
    this.events.message();
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    this.events.closed(socket, code);
  }

  /** The TTL, the lease or a settlement retry, depending on where the job stands. */
  override async alarm(): Promise<void> {
    const job = this.jobRow();
    if (!job) return;
    switch (job.status as JobStatus) {
      case "created":
      case "uploaded":
        this.cancelNow("TTL_EXPIRED");
        await this.settle();
        return;
      case "queued":
      case "running":
        await this.leaseExpired(job);
        return;
      default:
        if (job.settled) await this.retain(job);
        else await this.settle();
    }
  }

  /** A settled job's objects go RETENTION_DAYS after it finished; until then the alarm waits for it. */
  private async retain(job: JobRow): Promise<void> {
    if (this.deletedAt() !== null || job.finished_at === null) return;
    const due = retentionDueMs(job.finished_at, this.config().jobs.retentionDays);
    if (Date.now() < due) await this.ctx.storage.setAlarm(due);
    else await this.deleteObjects(job);
  }

  private async deleteObjects(job: JobRow): Promise<void> {
    await deleteJobObjects(this.env.BUCKET, job.user_id, job.job_id);
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("INSERT OR IGNORE INTO purge (id, deleted_at) VALUES (1, ?)", now);
      // A new version: a client's cached GET (ETag) must not keep URLs to deleted objects.
      this.sql.exec("UPDATE job SET updated_at = ? WHERE id = 1", now);
    });
  }

  private deletedAt(): string | null {
    return (
      this.sql.exec<{ deleted_at: string }>("SELECT deleted_at FROM purge WHERE id = 1").toArray()[0]?.deleted_at ??
      null
    );
  }

  /** No progress within the lease: re-send the unfinished items, or fail them once the retry budget is spent. */
  private async leaseExpired(job: JobRow): Promise<void> {
    const status = await this.providerStatus(job);
    if (status === "failed" || status === "gone") {
      // The provider will never run the rest. Callbacks may have landed while it answered;
      // only items still pending fail.
      const now = this.jobRow()!;
      if (now.status !== "queued" && now.status !== "running") return;
      this.sql.exec("UPDATE items SET status = 'failed', error = 'GPU_JOB_FAILED' WHERE status = 'pending'");
      this.finishIfComplete();
      this.publish();
      await this.settle();
      return;
    }
    const pending = this.items().filter((item) => item.status === "pending");
    const message = this.message({ ...job, attempt: job.attempt + 1 }, pending);
    if (await this.leaseHeld(status, message)) return;
    if (job.requeues >= this.config().jobs.retryBudget) {
      this.sql.exec("UPDATE items SET status = 'failed', error = 'LEASE_EXPIRED' WHERE status = 'pending'");
      this.finishIfComplete();
      this.publish();
      await this.settle();
      return;
    }
    // A failed send throws, and the runtime retries the alarm with the job unchanged.
    await this.env.GPU_JOBS.send(message);
    await this.ctx.storage.delete(LEASE_HELD_UNTIL);
    const now = this.jobRow()!;
    if (now.status !== "queued" && now.status !== "running") return;
    this.sql.exec(
      "UPDATE job SET attempt = ?, requeues = requeues + 1, updated_at = ? WHERE id = 1",
      message.attempt,
      new Date().toISOString(),
    );
    await this.ctx.storage.setAlarm(Date.now() + this.leaseMs());
  }

  /** The one place the lease reads what the provider knows of the job's latest dispatch. */
  private async providerStatus(job: JobRow): Promise<ProviderStatus> {
    const refs = JSON.parse(job.dispatch_refs_json) as string[];
    return refs.length === 0 ? "unknown" : dispatcherFor(this.env).status(refs);
  }

  /**
   * A provider job still queued or running (or whose status is unavailable) can still report:
   * the lease is extended instead of sending the items a second time, up to the job's
   * execution timeout plus one lease from the first extension. True when extended.
   */
  private async leaseHeld(status: ProviderStatus, message: QueueMessage): Promise<boolean> {
    if (status !== "waiting" && status !== "running" && status !== "unavailable") return false;
    const now = Date.now();
    let until = await this.ctx.storage.get<number>(LEASE_HELD_UNTIL);
    if (until === undefined) {
      until = now + dispatcherFor(this.env).runLimitMs(message) + this.leaseMs();
      await this.ctx.storage.put(LEASE_HELD_UNTIL, until);
    }
    if (now >= until) return false;
    await this.ctx.storage.setAlarm(Math.min(until, now + this.leaseMs()));
    return true;
  }

  /** Synchronous: moves the job to canceled and returns the refund (every item not done). */
  private cancelNow(reason: "CANCELED" | "TTL_EXPIRED"): number {
    const job = this.jobRow()!;
    const done = this.countItems("done");
    this.ctx.storage.transactionSync(() => {
      this.setStatus("canceled");
      this.sql.exec("UPDATE job SET finished_at = ?, cancel_reason = ? WHERE id = 1", new Date().toISOString(), reason);
    });
    this.publish();
    return job.total - done;
  }

  /** Synchronous: done or failed once every item is final; true when the job just ended. */
  private finishIfComplete(): boolean {
    const job = this.jobRow()!;
    if (FINAL.includes(job.status as JobStatus)) return false;
    const done = this.countItems("done");
    const failed = this.countItems("failed");
    if (done + failed < job.total) return false;
    this.ctx.storage.transactionSync(() => {
      this.setStatus(done >= 1 ? "done" : "failed");
      this.sql.exec("UPDATE job SET finished_at = ? WHERE id = 1", new Date().toISOString());
    });
    return true;
  }

  /**
   * Tells the UserLimiter and D1 that the job ended. Both sides are idempotent, so a failure
   * is retried by the alarm until both have it; concurrent calls share one attempt.
   */
  private settle(): Promise<void> {
    this.settling ??= this.settleOnce().finally(() => {
      this.settling = null;
    });
    return this.settling;
  }

  private async settleOnce(): Promise<void> {
    const job = this.jobRow();
    if (!job || job.settled || !FINAL.includes(job.status as JobStatus)) return;
    try {
      await this.ctx.storage.deleteAlarm();
      const done = this.countItems("done");
      const failed = this.countItems("failed");
      const limiter = userLimiter(this.env, job.user_id);
      const outcome =
        job.status === "canceled"
          ? await limiter.rollback(job.job_id, job.total - done)
          : await limiter.commit(job.job_id, done, failed);
      if (!outcome.ok) throw new Error(`UserLimiter refused the settlement: ${outcome.code}`);
      await this.writeLog(job);
      this.sql.exec("UPDATE job SET settled = 1 WHERE id = 1");
      await this.retain(this.jobRow()!);
    } catch (error) {
      console.error("job settlement failed, retrying by alarm", error);
      await this.ctx.storage.setAlarm(Date.now() + SETTLE_RETRY_MS);
    }
  }

  /** The job's durable record: its jobs_log row and every job_items_log row, in one D1 batch. */
  private async writeLog(job: JobRow): Promise<void> {
    const db = getDb(this.env.DB);
    const items = this.items();
    const reports = itemReports(this.sql);
    const failedItem = items.find((item) => item.status === "failed");
    const row = {
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
        dispatch_refs: JSON.parse(job.dispatch_refs_json) as string[],
      }),
      cost_estimate: job.total,
      error:
        job.status === "canceled" ? job.cancel_reason : job.status === "failed" ? (failedItem?.error ?? null) : null,
    };
    const itemRows = items.map((item) => ({
      job_id: job.job_id,
      idx: item.idx,
      status: item.status as ItemStatus,
      input_key: item.input_key,
      output_key: item.status === "done" ? item.output_key : null,
      error: item.error,
      flags_json: flagsJson(reports.get(item.idx)),
      needs_review: needsReview(reports.get(item.idx)) ? 1 : 0,
    }));
    // 8 bound parameters per item row; D1 allows 100 per statement.
    const itemInserts = [];
    for (let at = 0; at < itemRows.length; at += ITEM_ROWS_PER_INSERT) {
      itemInserts.push(
        db
          .insert(jobItemsLog)
          .values(itemRows.slice(at, at + ITEM_ROWS_PER_INSERT))
          .onConflictDoNothing(),
      );
    }
    // The route wrote the row at create (docs/events.md, GET /jobs); the end replaces it.
    const { job_id: _id, user_id: _user, created_at: _created, ...ended } = row;
    await db.batch([
      db.insert(jobsLog).values(row).onConflictDoUpdate({ target: jobsLog.job_id, set: ended }),
      ...itemInserts,
    ]);
  }

  private message(job: JobRow, items: ItemRow[]): QueueMessage {
    const pins = this.inputPins();
    const message: QueueMessage = {
      job_id: job.job_id,
      user_id: job.user_id,
      preset: job.preset,
      concepts: JSON.parse(job.concepts_json) as Record<string, RuleAction>,
      protect: JSON.parse(job.protect_json) as string[],
      items: items.map(({ idx, input_key, output_key, preview_key }) => ({
        idx,
        input_key,
        output_key,
        preview_key,
        ...pins.get(idx),
      })),
      callback_url: `${this.config().publicBaseUrl}/jobs/${job.job_id}/callback`,
      idempotency_prefix: job.job_id,
      batch_concurrency: this.config().jobs.batchConcurrency,
      watermark: job.watermark === 1,
      attempt: job.attempt,
    };
    if (job.output_template !== null) message.output_template = job.output_template;
    const variants = this.variants();
    if (variants.length > 0) message.variants = variants;
    return message;
  }

  /** Tells every listener of the job's standing after a change (docs/events.md). */
  private publish(idx?: number): void {
    let item: ProgressEvent["item"];
    if (idx !== undefined) {
      const row = this.item(idx)!;
      const { error: _error, ...progress } = itemProgressOf({
        ...row,
        status: row.status as ItemStatus,
        report: itemReport(this.sql, idx),
      });
      item = progress;
    }
    this.events.publish({ type: "progress", ...this.progressView(this.jobRow()!), ...(item && { item }) });
  }

  private snapshot(job: JobRow): SnapshotEvent {
    const reports = itemReports(this.sql);
    return {
      type: "snapshot",
      ...this.progressView(job),
      preset: job.preset,
      output_template: job.output_template,
      items: this.items().map((item) =>
        itemProgressOf({ ...item, status: item.status as ItemStatus, report: reports.get(item.idx) }),
      ),
    };
  }

  private progressView(job: JobRow): JobProgressView {
    return {
      job_id: job.job_id,
      status: job.status as JobStatus,
      progress: {
        done: this.countItems("done"),
        failed: this.countItems("failed"),
        total: job.total,
        needs_review: needsReviewCount(this.sql),
      },
    };
  }

  private view(job: JobRow): JobView {
    const items = this.items();
    const reports = itemReports(this.sql);
    const count = (status: ItemStatus) => items.filter((item) => item.status === status).length;
    return {
      job_id: job.job_id,
      user_id: job.user_id,
      status: job.status as JobStatus,
      preset: job.preset,
      rule_id: job.rule_id,
      concepts: JSON.parse(job.concepts_json) as Record<string, RuleAction>,
      protect: JSON.parse(job.protect_json) as string[],
      output_template: job.output_template,
      watermark: job.watermark === 1,
      progress: {
        done: count("done"),
        failed: count("failed"),
        total: job.total,
        needs_review: needsReviewCount(this.sql),
      },
      items: items.map((item): JobItemView => ({
        idx: item.idx,
        status: item.status as ItemStatus,
        input_key: item.input_key,
        output_key: item.output_key,
        preview_key: item.preview_key,
        error: item.error,
        report: reports.get(item.idx) ?? null,
      })),
      created_at: job.created_at,
      updated_at: job.updated_at,
      finished_at: job.finished_at,
      dispatch_refs: JSON.parse(job.dispatch_refs_json) as string[],
      deleted_at: this.deletedAt(),
    };
  }

  private jobRow(): JobRow | undefined {
    if (!this.hasSchema()) return undefined;
    return this.sql.exec<JobRow>("SELECT * FROM job WHERE id = 1").toArray()[0];
  }

  /** The job when it exists and belongs to `userId`; another user's job looks missing. */
  private ownJob(userId: string): JobRow | undefined {
    const job = this.jobRow();
    return job && job.user_id === userId ? job : undefined;
  }

  private items(): ItemRow[] {
    return this.sql
      .exec<ItemRow>("SELECT idx, status, input_key, output_key, preview_key, error FROM items ORDER BY idx")
      .toArray();
  }

  private item(idx: number): ItemRow | undefined {
    return this.sql
      .exec<ItemRow>("SELECT idx, status, input_key, output_key, preview_key, error FROM items WHERE idx = ?", idx)
      .toArray()[0];
  }

  private variants(): Variant[] {
    return this.sql
      .exec<{ name: string; concepts_json: string }>("SELECT name, concepts_json FROM variants ORDER BY pos")
      .toArray()
      .map(({ name, concepts_json }) => ({ name, concepts: JSON.parse(concepts_json) as Record<string, RuleAction> }));
  }

  /** A done report's files (its result and preview with their sizes, then the template's), or the refusal
   *  naming the first whose key is not this item's own. */
  private templateFiles(job: JobRow, report: CallbackBody): SetFile[] | Refusal {
    const template = setTemplateOf(job.preset, job.output_template);
    const files = report.files ?? [];
    const foreign = foreignSetFile(files, { user: job.user_id, job: job.job_id, idx: report.idx }, template);
    if (foreign !== null) return { ok: false, code: "VALIDATION_ERROR", message: foreign };
    return files;
  }

  /** The confirmed size and ETag of each input, as the message carries them; none for a job confirmed unpinned. */
  private inputPins(): Map<number, { input_size: number; input_etag: string }> {
    const rows = this.sql.exec<{ idx: number; size: number; etag: string }>("SELECT idx, size, etag FROM input_pins");
    return new Map(rows.toArray().map((pin) => [pin.idx, { input_size: pin.size, input_etag: pin.etag }]));
  }

  private countItems(status: ItemStatus): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM items WHERE status = ?", status).one().n;
  }

  private setStatus(status: JobStatus): void {
    this.sql.exec("UPDATE job SET status = ?, updated_at = ? WHERE id = 1", status, new Date().toISOString());
  }

  private config(): Config {
    return configOf(this.env);
  }

  private ttlMs(): number {
    return this.config().jobs.ttlSec * 1000;
  }

  private leaseMs(): number {
    return this.config().jobs.leaseSec * 1000;
  }
}
