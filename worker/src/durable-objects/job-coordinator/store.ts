// The JobCoordinator's SQLite storage: the schema and every SQL statement the job runs. Each method is
// one read or one write (a write that must be atomic runs in one transactionSync); no method decides
// a transition, which is the coordinator's.
import { JOB_WEBHOOKS_SCHEMA } from "../../webhooks/job-webhooks";
import { ALBUM_SCHEMA, AlbumStore } from "./album-store";
import {
  DEFAULT_LOCALE,
  LOCALES,
  needsReview,
  storageKeys,
  type CallbackBody,
  type ItemReport,
  type ItemStatus,
  type JobStatus,
  type Locale,
  type RuleAction,
  type SetFile,
  type Variant,
} from "@s3/contract";
import type { CreateJobInput, ExecuteInput, InputPin, ItemSetFile } from "../../rpc";

/** How many idempotency keys are remembered; older repeats are still caught by "item already final". */
const SEEN_KEYS_KEPT = 1_000;

export interface JobRow extends Record<string, SqlStorageValue> {
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

export interface ItemRow extends Record<string, SqlStorageValue> {
  idx: number;
  status: string;
  input_key: string;
  output_key: string;
  preview_key: string;
  error: string | null;
}

/** The confirmed size and ETag of one input, as the queue message carries them. */
export type InputPinFields = { input_size: number; input_etag: string };

const ITEM_COLUMNS = "idx, status, input_key, output_key, preview_key, error";

export class JobStore {
  private schemaReady = false;
  /** The album's tables: output format, hints, inputs, scans. */
  readonly album: AlbumStore;

  constructor(private readonly storage: DurableObjectStorage) {
    this.album = new AlbumStore(storage);
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /**
   * Every CREATE statement (add new tables here). Runs at create, and once per instance where the job
   * exists, so a table added later reaches old jobs too; never for an id that was never created.
   */
  ensureSchema(): void {
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
      -- Each photo's file name as the client gave it at create (docs/sets.md): the ZIP names its files after it.
      CREATE TABLE IF NOT EXISTS item_names (idx INTEGER PRIMARY KEY, name TEXT NOT NULL);
      -- The language of the set's captions (docs/labels.md), chosen at execute.
      CREATE TABLE IF NOT EXISTS execution_locale (id INTEGER PRIMARY KEY CHECK (id = 1), locale TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS variants (pos INTEGER PRIMARY KEY, name TEXT NOT NULL, concepts_json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS item_files (
        idx INTEGER NOT NULL, pos INTEGER NOT NULL, role TEXT NOT NULL, part TEXT NOT NULL, variant TEXT,
        key TEXT NOT NULL UNIQUE, width INTEGER NOT NULL, height INTEGER NOT NULL, bytes INTEGER NOT NULL,
        content_type TEXT NOT NULL, PRIMARY KEY (idx, pos)
      );
      -- Left by each purge: when the second sweep is due, and when it ran (docs/trust.md, "Deleted means deleted").
      CREATE TABLE IF NOT EXISTS purge_tombstone (
        id INTEGER PRIMARY KEY CHECK (id = 1), sweep_at_ms INTEGER NOT NULL, swept_at TEXT
      );
      -- Each done item's report (docs/reports.md), written once with its status.
      CREATE TABLE IF NOT EXISTS item_reports (
        idx INTEGER PRIMARY KEY, report_json TEXT NOT NULL, needs_review INTEGER NOT NULL
      );
    `);
    this.sql.exec(JOB_WEBHOOKS_SCHEMA);
    this.sql.exec(ALBUM_SCHEMA);
  }

  /** Whether create ever ran here; a read-only look at sqlite_master until it has (docs/trust.md). */
  private hasSchema(): boolean {
    if (this.schemaReady) return true;
    const created = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'job'").toArray();
    if (created.length > 0) this.ensureSchema();
    return this.schemaReady;
  }

  /** The job, or undefined where it was never created (and then nothing is written). */
  job(): JobRow | undefined {
    if (!this.hasSchema()) return undefined;
    return this.sql.exec<JobRow>("SELECT * FROM job WHERE id = 1").toArray()[0];
  }

  /** The job where it must exist: after a write of this request. */
  current(): JobRow {
    return this.job()!;
  }

  /** created, with one pending item per photo, each with its own keys. */
  insertJob(input: CreateJobInput): void {
    const now = new Date().toISOString();
    this.storage.transactionSync(() => {
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
          `INSERT INTO items (${ITEM_COLUMNS}) VALUES (?, 'pending', ?, ?, ?, NULL)`,
          idx,
          storageKeys.input(input.user_id, input.job_id, idx),
          storageKeys.output(input.user_id, input.job_id, idx),
          storageKeys.preview(input.user_id, input.job_id, idx),
        );
      }
      (input.names ?? []).forEach((name, idx) =>
        this.sql.exec("INSERT INTO item_names (idx, name) VALUES (?, ?)", idx, name),
      );
    });
  }

  /** Each photo's file name by idx; empty for a job created without names. */
  itemNames(): string[] {
    const names: string[] = [];
    for (const { idx, name } of this.sql.exec<{ idx: number; name: string }>("SELECT idx, name FROM item_names"))
      names[idx] = name;
    return names;
  }

  items(): ItemRow[] {
    return this.sql.exec<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items ORDER BY idx`).toArray();
  }

  item(idx: number): ItemRow | undefined {
    return this.sql.exec<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE idx = ?`, idx).toArray()[0];
  }

  countItems(status: ItemStatus): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM items WHERE status = ?", status).one().n;
  }

  setStatus(status: JobStatus): void {
    this.sql.exec("UPDATE job SET status = ?, updated_at = ? WHERE id = 1", status, new Date().toISOString());
  }

  /** created → uploaded, pinning each input as R2 held it. */
  markUploaded(pins: readonly InputPin[]): void {
    this.storage.transactionSync(() => {
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
  }

  /** uploaded → queued with the rule to apply, attempt 1, and the template's variants. */
  markQueued(input: ExecuteInput): void {
    this.storage.transactionSync(() => {
      this.sql.exec(
        "UPDATE job SET status = 'queued', rule_id = ?, concepts_json = ?, protect_json = ?, output_template = ?, " +
          "attempt = 1, updated_at = ? WHERE id = 1",
        input.rule_id,
        JSON.stringify(input.concepts),
        JSON.stringify(input.protect),
        input.output_template,
        new Date().toISOString(),
      );
      this.sql.exec(
        "INSERT OR REPLACE INTO execution_locale (id, locale) VALUES (1, ?)",
        input.locale ?? DEFAULT_LOCALE,
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
  }

  /**
   * One report, once: false when its idempotency key was seen or the item is already final. The item's
   * status, its set files and its report (docs/reports.md) are written together, so a done item always has
   * its whole set (docs/sets.md) and a redelivery cannot change its report; the first report moves a queued
   * job to running.
   */
  recordReport(report: CallbackBody, reportKey: string, errorCode: string | null, files: readonly SetFile[]): boolean {
    return this.storage.transactionSync(() => {
      const seen = this.sql.exec("SELECT 1 FROM seen_keys WHERE key = ?", reportKey).toArray().length > 0;
      if (seen) return false;
      this.sql.exec("INSERT INTO seen_keys (key) VALUES (?)", reportKey);
      this.sql.exec("DELETE FROM seen_keys WHERE seq <= (SELECT MAX(seq) FROM seen_keys) - ?", SEEN_KEYS_KEPT);
      if (this.item(report.idx)?.status !== "pending") return false;
      this.sql.exec("UPDATE items SET status = ?, error = ? WHERE idx = ?", report.status, errorCode, report.idx);
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
      if (report.status === "done" && report.report)
        this.sql.exec(
          "INSERT OR IGNORE INTO item_reports (idx, report_json, needs_review) VALUES (?, ?, ?)",
          report.idx,
          JSON.stringify(report.report),
          needsReview(report.report) ? 1 : 0,
        );
      if (this.current().status === "queued") this.setStatus("running");
      return true;
    });
  }

  /** Every done item's report, by idx. */
  reports(): Map<number, ItemReport> {
    const rows = this.sql.exec<{ idx: number; report_json: string }>("SELECT idx, report_json FROM item_reports");
    return new Map(rows.toArray().map((row) => [row.idx, JSON.parse(row.report_json) as ItemReport]));
  }

  report(idx: number): ItemReport | null {
    const row = this.sql
      .exec<{ report_json: string }>("SELECT report_json FROM item_reports WHERE idx = ?", idx)
      .toArray()[0];
    return row ? (JSON.parse(row.report_json) as ItemReport) : null;
  }

  /** Done items whose report says a person should look (docs/reports.md). */
  countNeedsReview(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM item_reports WHERE needs_review = 1").one().n;
  }

  /** Every item still pending fails with `error`. */
  failPending(error: string): void {
    this.sql.exec("UPDATE items SET status = 'failed', error = ? WHERE status = 'pending'", error);
  }

  /** → `status` (done, failed or canceled), with the time it ended and, for a cancel, why. */
  markEnded(status: JobStatus, cancelReason: string | null = null): void {
    this.storage.transactionSync(() => {
      this.setStatus(status);
      const now = new Date().toISOString();
      if (cancelReason === null) this.sql.exec("UPDATE job SET finished_at = ? WHERE id = 1", now);
      else this.sql.exec("UPDATE job SET finished_at = ?, cancel_reason = ? WHERE id = 1", now, cancelReason);
    });
  }

  markSettled(): void {
    this.sql.exec("UPDATE job SET settled = 1 WHERE id = 1");
  }

  /** A lease's re-send went out as `attempt`. */
  markRequeued(attempt: number): void {
    this.sql.exec(
      "UPDATE job SET attempt = ?, requeues = requeues + 1, updated_at = ? WHERE id = 1",
      attempt,
      new Date().toISOString(),
    );
  }

  dispatchRefs(job: JobRow): string[] {
    return JSON.parse(job.dispatch_refs_json) as string[];
  }

  /** Adds a provider job id once. */
  addDispatchRef(ref: string): void {
    const refs = this.dispatchRefs(this.current());
    if (!refs.includes(ref)) {
      this.sql.exec("UPDATE job SET dispatch_refs_json = ? WHERE id = 1", JSON.stringify([...refs, ref]));
    }
  }

  deletedAt(): string | null {
    return (
      this.sql.exec<{ deleted_at: string }>("SELECT deleted_at FROM purge WHERE id = 1").toArray()[0]?.deleted_at ??
      null
    );
  }

  /** The objects are gone: a new version too, so a client's cached GET (ETag) keeps no URLs to them. */
  /** Records (or moves later) the sweep after a purge. */
  leaveTombstone(sweepAtMs: number): void {
    this.sql.exec("INSERT OR REPLACE INTO purge_tombstone (id, sweep_at_ms, swept_at) VALUES (1, ?, NULL)", sweepAtMs);
  }

  /** When the sweep is due, or null once it ran (or no purge left one). */
  sweepDueMs(): number | null {
    const row = this.sql
      .exec<{ sweep_at_ms: number }>("SELECT sweep_at_ms FROM purge_tombstone WHERE id = 1 AND swept_at IS NULL")
      .toArray()[0];
    return row?.sweep_at_ms ?? null;
  }

  markSwept(): void {
    this.sql.exec("UPDATE purge_tombstone SET swept_at = ? WHERE id = 1", new Date().toISOString());
  }

  markDeleted(): void {
    const now = new Date().toISOString();
    this.storage.transactionSync(() => {
      this.sql.exec("INSERT OR IGNORE INTO purge (id, deleted_at) VALUES (1, ?)", now);
      this.sql.exec("UPDATE job SET updated_at = ? WHERE id = 1", now);
    });
  }

  /** The captions' language chosen at execute; ko for a job executed before it was kept. */
  locale(): Locale {
    const row = this.sql.exec<{ locale: string }>("SELECT locale FROM execution_locale WHERE id = 1").toArray()[0];
    return (LOCALES as readonly string[]).includes(row?.locale ?? "") ? (row!.locale as Locale) : DEFAULT_LOCALE;
  }

  variants(): Variant[] {
    return this.sql
      .exec<{ name: string; concepts_json: string }>("SELECT name, concepts_json FROM variants ORDER BY pos")
      .toArray()
      .map(({ name, concepts_json }) => ({ name, concepts: JSON.parse(concepts_json) as Record<string, RuleAction> }));
  }

  /** The confirmed size and ETag of each input; none for a job confirmed unpinned. */
  inputPins(): Map<number, InputPinFields> {
    const rows = this.sql.exec<{ idx: number; size: number; etag: string }>("SELECT idx, size, etag FROM input_pins");
    return new Map(rows.toArray().map((pin) => [pin.idx, { input_size: pin.size, input_etag: pin.etag }]));
  }

  /** Every set file the done items reported, in idx then report order. */
  setFiles(): ItemSetFile[] {
    return this.sql
      .exec<ItemSetFile & Record<string, SqlStorageValue>>(
        "SELECT idx, role, part, variant, key, width, height, bytes, content_type FROM item_files ORDER BY idx, pos",
      )
      .toArray();
  }
}
