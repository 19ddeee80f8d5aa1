// The public API's answers as clients read them (docs/architecture.md, Conventions and Endpoints):
// the envelope every response is wrapped in and the `data` of each endpoint. The Worker's OpenAPI
// schemas are checked against these types (worker/test/public-types.test.ts); the console, the
// scripts and the GPU worker read responses through them.
import type { ErrorCode } from "./errors";
import type { Plan } from "./plans";
import type { PresetLabels } from "./labels";
import type { JobItemProgress, JobProgress } from "./progress";
import type { RuleAction, Action } from "./rules";
import type { ScanState } from "./scan";
import type { Variant } from "./sets";
import type { TemplateSlug } from "./templates";
import type { JobStatus } from "./statuses";
import type { WebhookDeliveryStatus, WebhookType } from "./webhooks";

export interface ApiMeta {
  request_id: string;
  timestamp: string;
}

/** What a refusal may carry beside its sentence (docs/retries.md). */
export interface ErrorDetails {
  /** VALIDATION_ERROR: the offending field as a dotted path (`concepts.Floor.value`, `outputTemplate`). */
  field?: string;
  /** CONCURRENCY_LIMIT: the caller's active jobs, to cancel one. */
  active_job_ids?: string[];
}

/** A refusal's body: a code of the catalog (errors.ts), a sentence naming what was wrong, and details. */
export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  error: null;
  meta: ApiMeta;
}

export interface FailureEnvelope {
  success: false;
  data: null;
  error: ApiErrorBody;
  meta: ApiMeta;
}

/** Every JSON answer of the API, success or not (a WebSocket's frames and 304s aside). */
export type Envelope<T> = SuccessEnvelope<T> | FailureEnvelope;

/** POST /auth/anon. */
export interface AnonUser {
  user_id: string;
  token: string;
}

/** GET /me. */
export interface Me {
  user_id: string;
  plan: Plan;
  credits: number;
  active_jobs: number;
  rule_slots: { used: number; max: number };
}

/** GET /presets, one per preset. */
export interface PresetSummary {
  id: string;
  name: string;
  concept_count: number;
}

/** The values each action accepts for one concept (GET /presets/{id}). */
export interface ConceptPaletteView {
  recolor: string[];
  tone: string[];
  texture: string[];
}

/** GET /presets/{id}: the preset as a rule editor needs it. */
export interface PresetDetail {
  id: string;
  name: string;
  concepts: string[];
  protect_defaults: string[];
  output_templates: { id: string; slug: TemplateSlug; name: string; description: string; needs_variants: boolean }[];
  styles: Variant[];
  palette: {
    actions: Action[];
    /** Colour id → #RRGGBB for every colour the preset names. */
    colors: Record<string, string>;
    tones: string[];
    textures: string[];
    concepts: Record<string, ConceptPaletteView>;
  };
  /** What a person reads in place of each id (docs/labels.md). */
  labels: PresetLabels;
}

/** A saved rule (GET /rules, GET /rules/{id}, POST /rules). */
export interface SavedRule {
  id: string;
  name: string;
  preset_id: string;
  concepts: Record<string, RuleAction>;
  protect: string[];
  created_at: string;
  updated_at: string;
}

/** A presigned PUT URL per item, for the job's inputs. */
export type UploadSlots = { idx: number; url: string; key: string }[];

/** POST /jobs: the job and a presigned PUT per item. */
export interface CreatedJob {
  job_id: string;
  upload: UploadSlots;
  confirm_url: string;
}

/**
 * POST /jobs with `from_job` (a re-run) and POST /jobs/{id}/retry: a new job over a finished job's
 * inputs, already `uploaded`. Its item i is the source's item `from_items[i]`.
 */
export interface CopiedJob {
  job_id: string;
  status: JobStatus;
  from_job: string;
  from_items: number[];
}

/** POST /jobs/{id}/scan: the job (still uploaded) and the scan it queued. */
export interface ScanAnswer {
  job_id: string;
  status: JobStatus;
  scan: ScanState;
}

/** POST /jobs/{id}/confirm-upload and …/execute. */
export interface JobStatusAnswer {
  job_id: string;
  status: JobStatus;
}

/** POST /jobs/{id}/cancel. */
export interface CanceledJob extends JobStatusAnswer {
  refunded: number;
}

/** One item of GET /jobs/{id}: pending until its callback lands, then done or failed (with why). */
export type JobItem = JobItemProgress;

/** GET /jobs/{id}. */
export interface Job {
  job_id: string;
  status: JobStatus;
  preset: string;
  progress: JobProgress;
  /** While the job is created: fresh presigned PUT URLs (docs/retries.md). */
  upload?: UploadSlots;
  /** Set once the job's objects were deleted (docs/trust.md): then there are no URLs. */
  deleted_at?: string;
  /** The latest scan, once the job was scanned (docs/reports.md, Scan reports). */
  scan?: ScanState;
  outputs_ready: {
    idx: number;
    result_url: string;
    preview_url: string;
    /** Each rule and protect concept the report found, with its mask PNG (docs/storage.md, Masks). */
    masks: { concept: string; protect: boolean; url: string }[];
  }[];
  items: JobItem[];
}

/** One job of GET /jobs. */
export interface JobSummary {
  job_id: string;
  status: JobStatus;
  preset: string;
  /** The output template by id, and by slug (as the set's manifest names it). */
  output_template: string | null;
  output_template_slug: TemplateSlug | null;
  created_at: string;
  progress: JobProgress;
}

/** GET /jobs: a page, newest first; `next_cursor` null on the last. */
export interface JobPage {
  jobs: JobSummary[];
  next_cursor: string | null;
}

/** DELETE /jobs/{id}. */
export interface DeletedJob {
  id: string;
}

/** POST /jobs/{id}/callback's answer to the GPU worker: `recorded` false when the report changed nothing. */
export interface CallbackAnswer {
  job_id: string;
  status: JobStatus;
  recorded: boolean;
}

/** GET and POST /me/webhook-secret (docs/webhooks.md). */
export interface WebhookSecret {
  secret: string;
  /** After a rotation: until when deliveries also carry a signature of the previous secret. */
  previous_valid_until: string | null;
}

/** One delivery of GET /jobs/{id}/webhooks, and POST …/replay's answer. */
export interface WebhookDelivery {
  webhook_id: string;
  type: WebhookType;
  attempts: number;
  status: WebhookDeliveryStatus;
  last_status: number | null;
  next_attempt_at: string | null;
}
