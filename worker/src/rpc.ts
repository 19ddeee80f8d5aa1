// The RPC surface of the two Durable Objects: what routes, lib/ and dispatch/ may ask of them, and what
// they answer. Types only, importing nothing of the Worker, so every layer may import it.
// A refusal crosses the RPC boundary as `{ ok: false, code }` (a thrown class would not);
// the route turns it into `new ApiError(code)`.
import type {
  CallbackBody,
  CallbackInput,
  ItemHints,
  OutputFormat,
  ScanReport,
  ScanState,
  ErrorCode,
  ErrorDetails,
  ItemReport,
  ItemStatus,
  JobStatus,
  Locale,
  Plan,
  QueueMessage,
  RuleAction,
  SetFile,
  Variant,
  WebhookRequest,
} from "@s3/contract";

import type { IdempotencyStart } from "./durable-objects/idempotency-keys";
import type { WebhookSecretView } from "./durable-objects/webhook-secrets";

export type Refusal = { ok: false; code: ErrorCode; message?: string; details?: ErrorDetails };
export type Outcome<T = object> = ({ ok: true } & T) | Refusal;

export interface UserState {
  user_id: string;
  plan: Plan;
  credits: number;
  active_jobs: number;
  rule_slots: { used: number; max: number };
}

/** One per user, named by user id: `env.USER_LIMITER.idFromName(userId)`. */
export interface UserLimiterApi {
  /** Creates the user's ledger (plan free, 10 credits); a second call changes nothing. */
  init(userId: string): Promise<UserState>;
  /** null when init never ran for this name. */
  state(): Promise<UserState | null>;
  /**
   * credits ≥ n else CREDITS_EXHAUSTED, active < plan max else CONCURRENCY_LIMIT,
   * n ≤ plan items else VALIDATION_ERROR. Idempotent per job.
   */
  reserve(jobId: string, n: number): Promise<Outcome<{ state: UserState }>>;
  /** Job finished: refund `failed`, charge `done`, release the slot. Idempotent per job. */
  commit(jobId: string, done: number, failed: number): Promise<Outcome<{ state: UserState }>>;
  /** Cancel, TTL or total failure: refund `refund`, release the slot. Idempotent per job. */
  rollback(jobId: string, refund: number): Promise<Outcome<{ state: UserState }>>;
  /** RULE_SLOT_FULL when all slots are used; idempotent per rule. */
  claimRuleSlot(ruleId: string): Promise<Outcome<{ state: UserState }>>;
  releaseRuleSlot(ruleId: string): Promise<Outcome<{ state: UserState }>>;
  /**
   * An Idempotency-Key's first use claims it (docs/retries.md); a repeat replays, waits or conflicts.
   * `resourceId` is the id the request will create, kept so that a takeover creates the same one.
   */
  startIdempotent(key: string, fingerprint: string, resourceId: string | null): Promise<IdempotencyStart>;
  /** Keeps a 2xx answer's status and data for replays. */
  finishIdempotent(key: string, fingerprint: string, status: number, dataJson: string): Promise<void>;
  /** Frees a key whose request failed, so a retry runs afresh. */
  releaseIdempotent(key: string, fingerprint: string): Promise<void>;
  /** The user's webhook signing secret (made on first call), and until when a rotated-out one still signs. */
  webhookSecret(): Promise<Outcome<{ secret: WebhookSecretView }>>;
  /** A new secret; the old one keeps signing beside it for 24 h (docs/webhooks.md). */
  rotateWebhookSecret(): Promise<Outcome<{ secret: WebhookSecretView }>>;
  /** The secrets a delivery is signed with now, newest first. */
  webhookSigningSecrets(): Promise<string[]>;
  /** The job reads inputs with these SHA-256s: their mask cache stays while it does (docs/storage.md). */
  addCacheRefs(jobId: string, sha256s: string[]): Promise<void>;
  /** The job's objects are purged: its references go; answers the SHA-256s no job of the user reads any more. */
  releaseCacheRefs(jobId: string, sha256s: string[]): Promise<string[]>;
  /** Operations only (ops script / admin route): change plan, optionally grant credits. */
  setPlan(plan: Plan, grantCredits?: number): Promise<Outcome<{ state: UserState }>>;
}

export interface JobItemView {
  idx: number;
  status: ItemStatus;
  input_key: string;
  output_key: string;
  preview_key: string;
  error: string | null;
  /** A done item's report (docs/reports.md), or null. */
  report: ItemReport | null;
  /** The latest scan's report of the photo (docs/reports.md, Scan reports), or null. */
  scan_report: ScanReport | null;
  /** The input as a callback described it (its SHA-256 and pixel size), or null before any. */
  input: CallbackInput | null;
  /** The input as confirm-upload pinned it, or null for a job confirmed unpinned. */
  pin: { size: number; etag: string } | null;
  /** The photo's hints (a scan's or execute's), or null. */
  hints: ItemHints | null;
}

export interface JobView {
  job_id: string;
  user_id: string;
  status: JobStatus;
  preset: string;
  rule_id: string | null;
  concepts: Record<string, RuleAction>;
  protect: string[];
  output_template: string | null;
  output_format: OutputFormat;
  /** The language execute set for the set's captions (the default before execute). */
  locale: Locale;
  /** The template's variants as execute stored them (none before execute). */
  variants: Variant[];
  /** The latest scan, or null before the first. */
  scan: ScanState | null;
  watermark: boolean;
  progress: { done: number; failed: number; total: number; needs_review: number };
  items: JobItemView[];
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** Runpod (or other provider) job ids recorded by the dispatcher. */
  dispatch_refs: string[];
  /** When the job's objects were deleted from R2 (DELETE or retention); null while they are kept. */
  deleted_at: string | null;
}

export interface CreateJobInput {
  job_id: string;
  user_id: string;
  preset: string;
  item_count: number;
  watermark: boolean;
  /** Each photo's file name by idx, as the client gave them (docs/sets.md); absent: none. */
  names?: string[];
}

/** An input as R2 held it at confirm-upload; the GPU worker reads it with If-Match: etag. */
export interface InputPin {
  idx: number;
  size: number;
  /** The HTTP form, quoted (R2's `httpEtag`), as an S3 `If-Match` expects. */
  etag: string;
  /** A copied input (re-run, retry): what the source job learnt of the same bytes. */
  input?: CallbackInput;
}

/** A scan (docs/reports.md, Scan reports): what to segment, split as the queue message carries it. */
export interface ScanInput {
  concepts: string[];
  protect: string[];
  /** By item index; replaces the hints of the photos it names. */
  hints: Record<string, ItemHints>;
}

export interface ExecuteInput {
  concepts: Record<string, RuleAction>;
  protect: string[];
  rule_id: string | null;
  output_template: string | null;
  /** The template's variants (docs/sets.md); null or absent where execute named none. */
  variants?: Variant[] | null;
  /** Where the job's events are delivered (docs/webhooks.md); null or absent for none. */
  webhook?: WebhookRequest | null;
  /** The language of the set's captions (docs/labels.md); absent: ko. */
  locale?: Locale;
  /** The results' format; png when absent. */
  output_format?: OutputFormat;
  /** By item index; replaces the hints (a scan's, say) of the photos it names. */
  hints?: Record<string, ItemHints>;
}

/** One set file a done item's callback reported (docs/sets.md), as the JobCoordinator keeps it. */
export type ItemSetFile = SetFile & { idx: number };

/** A finished job's set as the JobCoordinator keeps it: the job, its set files, its photos' file names. */
export interface OutputSetView {
  job: JobView;
  files: ItemSetFile[];
  /** Each photo's file name by idx; empty (or with holes) where the client gave none. */
  names: string[];
}

/** What a callback answers: the job's standing without its items, so reporting one item
 *  does not read and copy every item (O(n) per callback, O(n²) per job). */
export type JobProgressView = Pick<JobView, "job_id" | "status" | "progress">;

/** What GET /jobs/{id}'s ETag is computed from (docs/events.md): no items, so a 304 reads almost nothing. */
export type JobVersionView = JobProgressView & Pick<JobView, "updated_at">;

/**
 * One per job, named by job id: `env.JOB_COORDINATOR.idFromName(jobId)`.
 * The client-facing methods take the caller's user id and answer JOB_NOT_FOUND for a job that
 * does not exist or is someone else's. `callback` and `recordDispatch` take none: the route has
 * checked the GPU secret, and the dispatcher is the Worker itself.
 */
export interface JobCoordinatorApi {
  /** created; schedules the TTL alarm. */
  create(input: CreateJobInput): Promise<Outcome<{ job: JobView }>>;
  /** Whether the job was ever created; writes nothing (docs/trust.md). */
  exists(): Promise<boolean>;
  get(userId: string): Promise<Outcome<{ job: JobView }>>;
  /** The job's standing without items, for a conditional GET. */
  version(userId: string): Promise<Outcome<{ job: JobVersionView }>>;
  /** created → uploaded (the route has checked R2 already), pinning each input's size and ETag (docs/trust.md). */
  confirmUpload(userId: string, pins?: InputPin[]): Promise<Outcome<{ job: JobView }>>;
  /** uploaded → queued, and sends exactly one queue message (docs/messages.md) to GPU_JOBS. */
  execute(userId: string, input: ExecuteInput): Promise<Outcome<{ job: JobView; message: QueueMessage }>>;
  /** uploaded stays uploaded: a segment-only message for every photo; the scan's progress is tracked apart. */
  scan(userId: string, input: ScanInput): Promise<Outcome<{ job: JobView; message: QueueMessage }>>;
  /**
   * Records one item once (docs/state-machine.md); queued → running on the first; finishes the job.
   * The body arrives parsed by the route with the contract's schema; it is not parsed again here.
   */
  callback(body: CallbackBody): Promise<Outcome<{ job: JobProgressView; recorded: boolean }>>;
  /**
   * → canceled, refunding every item not done (docs/credits.md), then asks the GPU provider to stop
   * the job's dispatched work (best effort: the cancel and refund stand either way).
   */
  cancel(userId: string): Promise<Outcome<{ job: JobView; refunded: number }>>;
  /**
   * The job and every set file its done items reported, in idx then report order. `userId` null:
   * a signed link, which the caller checks against the answer's `job.user_id` before using it.
   */
  outputSet(userId: string | null): Promise<Outcome<OutputSetView>>;
  /** Finished jobs only (else INVALID_TRANSITION): deletes the job's objects in R2 (docs/trust.md). */
  purge(userId: string): Promise<Outcome<{ job: JobView }>>;
  /** Provider job id for a dispatched message (Runpod). */
  recordDispatch(ref: string): Promise<Outcome>;
}
