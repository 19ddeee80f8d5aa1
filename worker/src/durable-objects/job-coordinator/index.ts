// One per job: the state machine of docs/state-machine.md. This class only sequences: each RPC method
// decides its transition and writes it synchronously through the store; awaits (queue, provider, D1,
// UserLimiter) come after. The job's one alarm is the TTL of an abandoned created/uploaded job, the lease
// of a queued/running one, or the retry of a finished job's settlement, then its retention.
import { DurableObject } from "cloudflare:workers";
import {
  idempotencyKey,
  isFinalJobStatus,
  itemErrorCode,
  itemReportSchema,
  MAX_ITEMS_PER_JOB,
  type CallbackBody,
  type JobStatus,
  type ProgressEvent,
  type QueueMessage,
  type ScanState,
} from "@s3/contract";
import { configOf, type Config } from "../../config";
import { dispatcherFor } from "../../dispatch";
import type {
  CreateJobInput,
  ExecuteInput,
  InputPin,
  JobCoordinatorApi,
  JobProgressView,
  JobVersionView,
  JobView,
  Outcome,
  OutputSetView,
  Refusal,
  ScanInput,
} from "../../rpc";
import { EVENTS_USER_HEADER, JobEvents } from "../job-events";
import { Lease } from "./lease";
import { MaskCache } from "./mask-cache";
import { queueMessageOf, scanMessageOf } from "./message";
import { recordScanItem } from "./scan";
import { checkReport } from "./report";
import { Retention } from "./retention";
import { Settlement } from "./settlement";
import { JobStore, type JobRow } from "./store";
import { jobView, progressItemOf, progressView, snapshotOf, versionView } from "./views";
import { sameExecution } from "./same-execution";
import { JobWebhooks, type WebhookAttempt, type WebhookDeliveryView } from "../../webhooks/job-webhooks";

const NOT_FOUND: Refusal = { ok: false, code: "JOB_NOT_FOUND" };
const INVALID_TRANSITION: Refusal = { ok: false, code: "INVALID_TRANSITION" };
const ALREADY_CANCELED: Refusal = { ok: false, code: "ALREADY_CANCELED" };

export class JobCoordinator extends DurableObject<Env> implements JobCoordinatorApi {
  // No schema at construction: a read of a job id that was never created must write nothing (docs/trust.md).
  private readonly store = new JobStore(this.ctx.storage);
  private readonly events = new JobEvents(this.ctx);
  private readonly webhooks = new JobWebhooks(
    this.ctx.storage.sql,
    () => this.env.WEBHOOKS,
    () => this.config().webhooks.backoffScale,
  );
  private readonly maskCache = new MaskCache(this.store, this.env);
  private readonly retention = new Retention(
    this.ctx.storage,
    this.store,
    this.env.BUCKET,
    () => this.config(),
    (job, also) => this.maskCache.release(job, also),
  );
  private readonly settlement = new Settlement(this.ctx.storage, this.store, this.env, (job) =>
    this.retention.retain(job),
  );
  private readonly lease = new Lease(this.ctx.storage, this.store, this.env, () => this.config(), {
    finishIfComplete: () => this.finishIfComplete(),
    publish: () => this.publish(),
    settle: () => this.settlement.settle(),
  });

  async create(input: CreateJobInput): Promise<Outcome<{ job: JobView }>> {
    this.store.ensureSchema();
    const existing = this.store.job();
    if (existing) {
      // A retried create for the same job answers the job; any other reuse of the id is refused.
      return existing.user_id === input.user_id ? { ok: true, job: this.view(existing) } : INVALID_TRANSITION;
    }
    if (!Number.isInteger(input.item_count) || input.item_count < 1 || input.item_count > MAX_ITEMS_PER_JOB) {
      return { ok: false, code: "VALIDATION_ERROR", message: `item_count must be 1..${MAX_ITEMS_PER_JOB}` };
    }
    this.store.insertJob(input);
    await this.ctx.storage.setAlarm(Date.now() + this.ttlMs());
    return { ok: true, job: this.view(this.store.current()) };
  }

  /** Whether `create` ran here; reads only (the UserLimiter asks it about holds, docs/trust.md). */
  async exists(): Promise<boolean> {
    return this.store.job() !== undefined;
  }

  async get(userId: string): Promise<Outcome<{ job: JobView }>> {
    const job = this.ownJob(userId);
    return job ? { ok: true, job: this.view(job) } : NOT_FOUND;
  }

  async version(userId: string): Promise<Outcome<{ job: JobVersionView }>> {
    const job = this.ownJob(userId);
    return job ? { ok: true, job: versionView(this.store, job) } : NOT_FOUND;
  }

  async confirmUpload(userId: string, pins: InputPin[] = []): Promise<Outcome<{ job: JobView }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    // A repeated confirm says it already happened (docs/retries.md).
    if (job.status === "uploaded") return { ok: true, job: this.view(job) };
    if (job.status !== "created") return INVALID_TRANSITION;
    this.store.markUploaded(pins);
    this.publish();
    for (const pin of pins) await this.maskCache.note(job, pin.idx, pin.input);
    // The TTL restarts: an uploaded job may wait a full TTL for its rule.
    await this.ctx.storage.setAlarm(Date.now() + this.ttlMs());
    return { ok: true, job: this.view(this.store.current()) };
  }

  async execute(userId: string, input: ExecuteInput): Promise<Outcome<{ job: JobView; message: QueueMessage }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (job.status === "canceled") return ALREADY_CANCELED;
    // A repeated execute with the same rule answers the job as it stands (docs/retries.md); another is refused.
    if (job.status !== "uploaded") {
      return job.status !== "created" &&
        sameExecution(job, this.store.variants(), input, this.store.album.outputFormat())
        ? { ok: true, job: this.view(job), message: queueMessageOf(this.store, this.config(), job, this.store.items()) }
        : INVALID_TRANSITION;
    }

    // Queued before the send, so a concurrent execute or cancel sees the new status while we await.
    this.store.markQueued(input);
    this.store.album.setOutputFormat(input.output_format ?? "png", job.user_id, job.job_id);
    this.store.album.setHints(input.hints ?? {});
    this.webhooks.configure(input.webhook ?? null);
    this.publish();
    const message = queueMessageOf(this.store, this.config(), this.store.current(), this.store.items());
    try {
      await this.env.GPU_JOBS.send(message);
    } catch (error) {
      if (this.store.current().status === "queued") this.store.setStatus("uploaded");
      this.publish();
      throw error;
    }
    await this.lease.extend();
    return { ok: true, job: this.view(this.store.current()), message };
  }

  /** A segment-only pass over every photo (docs/reports.md, Scan reports); the job stays uploaded. */
  async scan(userId: string, input: ScanInput): Promise<Outcome<{ job: JobView; message: QueueMessage }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (job.status === "canceled") return ALREADY_CANCELED;
    if (job.status !== "uploaded") return INVALID_TRANSITION;
    this.store.album.setHints(input.hints);
    const id = this.store.album.startScan(input.concepts, input.protect);
    this.publish();
    const message = scanMessageOf(this.store, this.config(), job, { id, ...input });
    try {
      await this.env.GPU_JOBS.send(message);
    } catch (error) {
      this.store.album.dropScan(id);
      this.publish();
      throw error;
    }
    return { ok: true, job: this.view(this.store.current()), message };
  }

  async callback(report: CallbackBody): Promise<Outcome<{ job: JobProgressView; recorded: boolean }>> {
    const job = this.store.job();
    if (!job) return NOT_FOUND;
    if (this.store.deletedAt() !== null) {
      // A late result for a deleted job: what it just wrote goes too (docs/trust.md, "Deleted means deleted").
      await this.retention.deleteLateWrites(job, report.input?.sha256);
      return { ok: true, job: progressView(this.store, job), recorded: false };
    }
    if (job.status === "canceled") return { ok: true, job: progressView(this.store, job), recorded: false };
    if (report.scan_id !== undefined) return this.scanCallback(job, report);
    if (job.status === "created" || job.status === "uploaded") return INVALID_TRANSITION;

    const files = checkReport(job, this.store.item(report.idx), report, this.store.album.outputFormat());
    if (!Array.isArray(files)) return files;
    const reportKey = report.idempotency_key ?? idempotencyKey(job.job_id, report.idx, job.attempt);
    const errorCode = report.status === "failed" ? itemErrorCode(report.error_code) : null;
    // A run's report must be an item report: a scan report (or anything else) outside a scan reads as null.
    const itemReport = itemReportSchema.safeParse(report.report).success ? report.report : null;
    const recorded = this.store.recordReport({ ...report, report: itemReport }, reportKey, errorCode, files);
    await this.maskCache.note(job, report.idx, report.input);
    if (!recorded) return { ok: true, job: progressView(this.store, this.store.current()), recorded: false };

    const ended = this.finishIfComplete();
    this.publish(progressItemOf(this.store, report.idx));
    // Progress pushes the lease forward.
    if (ended) await this.settlement.settle();
    else await this.lease.extend();
    return { ok: true, job: progressView(this.store, this.store.current()), recorded: true };
  }

  /** One photo of the latest scan; the job's status and items stay as they are. */
  private async scanCallback(
    job: JobRow,
    report: CallbackBody,
  ): Promise<Outcome<{ job: JobProgressView; recorded: boolean }>> {
    const recorded = recordScanItem(this.store, job, report);
    if (typeof recorded !== "boolean") return recorded;
    await this.maskCache.note(job, report.idx, report.input);
    if (recorded) this.publish(progressItemOf(this.store, report.idx));
    return { ok: true, job: progressView(this.store, this.store.current()), recorded };
  }

  async cancel(userId: string): Promise<Outcome<{ job: JobView; refunded: number }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (job.status === "canceled") return ALREADY_CANCELED;
    if (isFinalJobStatus(job.status)) return INVALID_TRANSITION;
    const neverRan = job.status === "created" || job.status === "uploaded";
    const refunded = this.cancelNow("CANCELED");
    await this.settlement.settle();
    // Nothing can come of its inputs any more: they go now, not at retention.
    if (neverRan) await this.retention.deleteObjects(this.store.current());
    const canceled = this.store.current();
    // Stops the GPU spend; best effort, never throws: the cancel and refund above already stand.
    const refs = this.store.dispatchRefs(canceled);
    if (refs.length > 0) await dispatcherFor(this.env).cancel(refs);
    return { ok: true, job: this.view(canceled), refunded };
  }

  async outputSet(userId: string | null): Promise<Outcome<OutputSetView>> {
    const job = userId === null ? this.store.job() : this.ownJob(userId);
    if (!job) return NOT_FOUND;
    return { ok: true, job: this.view(job), files: this.store.setFiles(), names: this.store.itemNames() };
  }

  /** Each photo's file name by idx (empty for a job created without names): a re-run or retry keeps them. */
  async itemNames(userId: string): Promise<Outcome<{ names: string[] }>> {
    if (!this.ownJob(userId)) return NOT_FOUND;
    return { ok: true, names: this.store.itemNames() };
  }

  /** DELETE /jobs/{id}: a finished job's objects leave R2; the job and its billing stay. Repeatable. */
  async purge(userId: string): Promise<Outcome<{ job: JobView }>> {
    const job = this.ownJob(userId);
    if (!job) return NOT_FOUND;
    if (!isFinalJobStatus(job.status)) return INVALID_TRANSITION;
    await this.retention.deleteObjects(job);
    return { ok: true, job: this.view(this.store.current()) };
  }

  async recordDispatch(ref: string): Promise<Outcome> {
    if (!this.store.job()) return NOT_FOUND;
    this.store.addDispatchRef(ref);
    return { ok: true };
  }

  /** GET /jobs/{id}/events, forwarded by the route with the authenticated user (docs/events.md). */
  override async fetch(request: Request): Promise<Response> {
    const job = this.ownJob(request.headers.get(EVENTS_USER_HEADER) ?? "");
    if (!job) return new Response(null, { status: 404 });
    return this.events.open(request, snapshotOf(this.store, job));
  }

  override async webSocketMessage(): Promise<void> {
    this.events.message();
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    this.events.closed(socket, code);
  }

  /** The TTL, the lease or a settlement retry, depending on where the job stands. */
  override async alarm(): Promise<void> {
    const job = this.store.job();
    if (!job) return;
    switch (job.status as JobStatus) {
      case "created":
      case "uploaded":
        this.cancelNow("TTL_EXPIRED");
        await this.settlement.settle();
        await this.retention.deleteObjects(this.store.current());
        return;
      case "queued":
      case "running":
        await this.lease.expired(job);
        return;
      default:
        if (job.settled) await this.retention.retain(job);
        else await this.settlement.settle();
    }
  }

  /** Synchronous: moves the job to canceled and returns the refund (every item not done). */
  private cancelNow(reason: "CANCELED" | "TTL_EXPIRED"): number {
    const job = this.store.current();
    const done = this.store.countItems("done");
    this.store.markEnded("canceled", reason);
    this.publish();
    return job.total - done;
  }

  /** Synchronous: done or failed once every item is final; true when the job just ended. */
  private finishIfComplete(): boolean {
    const job = this.store.current();
    if (isFinalJobStatus(job.status)) return false;
    const done = this.store.countItems("done");
    const failed = this.store.countItems("failed");
    if (done + failed < job.total) return false;
    this.store.markEnded(done >= 1 ? "done" : "failed");
    return true;
  }

  /** Tells every listener of the job's standing after a change (docs/events.md). */
  private publish(item?: ProgressEvent["item"]): void {
    const job = this.store.current();
    const scan: ScanState | null = this.store.album.scanState(job.total);
    this.events.publish({
      type: "progress",
      ...progressView(this.store, job),
      ...(scan && { scan }),
      ...(item && { item }),
    });
    if (this.webhooks.record({ final: isFinalJobStatus(job.status), item }, () => this.webhookData(job))) {
      this.ctx.waitUntil(
        this.webhooks.enqueue(job.job_id).catch((error: unknown) => console.error("webhook enqueue failed", error)),
      );
    }
  }

  /** A webhook's `data`: GET /jobs/{id}'s data without URLs (docs/webhooks.md). */
  private webhookData(job: JobRow) {
    const { type: _snapshot, output_template: _template, ...data } = snapshotOf(this.store, job);
    return data;
  }

  /** The webhooks consumer: the delivery to attempt now, or null when it is settled. */
  async webhookAttempt(webhookId: string): Promise<(WebhookAttempt & { user_id: string }) | null> {
    const job = this.store.job();
    const attempt = job ? this.webhooks.attempt(webhookId) : null;
    return attempt && { ...attempt, user_id: job!.user_id };
  }

  /** The webhooks consumer: one attempt's HTTP status (null: no answer). */
  async recordWebhookAttempt(webhookId: string, httpStatus: number | null): Promise<{ retry_in_sec: number | null }> {
    return this.store.job() ? this.webhooks.recordAttempt(webhookId, httpStatus) : { retry_in_sec: null };
  }

  /** The dead-letter consumer: a delivery that could not be attempted is failed. */
  async failWebhook(webhookId: string): Promise<void> {
    if (this.store.job()) this.webhooks.fail(webhookId);
  }

  async webhookDeliveries(userId: string): Promise<Outcome<{ deliveries: WebhookDeliveryView[] }>> {
    return this.ownJob(userId) ? { ok: true, deliveries: this.webhooks.list() } : NOT_FOUND;
  }

  async replayWebhook(userId: string, webhookId: string): Promise<Outcome<{ delivery: WebhookDeliveryView }>> {
    const job = this.ownJob(userId);
    if (!job || !this.webhooks.replay(webhookId)) return NOT_FOUND;
    await this.webhooks.enqueue(job.job_id);
    return { ok: true, delivery: this.webhooks.list().find((delivery) => delivery.webhook_id === webhookId)! };
  }

  private view(job: JobRow): JobView {
    return jobView(this.store, job);
  }

  /** The job when it exists and belongs to `userId`; another user's job looks missing. */
  private ownJob(userId: string): JobRow | undefined {
    const job = this.store.job();
    return job && job.user_id === userId ? job : undefined;
  }

  private config(): Config {
    return configOf(this.env);
  }

  private ttlMs(): number {
    return this.config().jobs.ttlSec * 1000;
  }
}
