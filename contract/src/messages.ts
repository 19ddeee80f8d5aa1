// The two messages that cross between the Worker and the GPU worker (docs/messages.md).
import { z } from "zod";
import { itemHintsSchema } from "./hints";
import { KEY_ID_PATTERN } from "./ids";
import { DEFAULT_LOCALE, LOCALES } from "./labels";
import { SEGMENTER_VERSION_PATTERN, SHA256_PATTERN } from "./keys";
import { BATCH_CONCURRENCY } from "./limits";
import { MAX_ITEMS_PER_JOB } from "./plans";
import { DEFAULT_OUTPUT_FORMAT, outputFormatSchema } from "./output-format";
import { itemReportSchema, scanReportSchema } from "./report";
import { conceptNameSchema, conceptsSchema, NAME_MAX, protectSchema } from "./rules";
import { SET_FILES_MAX, setFileSchema } from "./set-files";
import { variantsSchema } from "./sets";
import { REPORTED_ITEM_STATUSES } from "./statuses";

export const queueItemSchema = z.object({
  idx: z.number().int().min(0),
  input_key: z.string().min(1),
  output_key: z.string().min(1),
  preview_key: z.string().min(1),
  /** The input as confirmed at upload: the GPU worker reads exactly this (If-Match, byte cap). */
  input_size: z.number().int().min(0).optional(),
  input_etag: z.string().min(1).max(200).optional(),
  /** Boxes and points for this photo's concepts (docs/messages.md, Hints); part of the mask cache key. */
  hints: itemHintsSchema.optional(),
});
export type QueueItem = z.infer<typeof queueItemSchema>;

export const queueMessageSchema = z.object({
  job_id: z.string().regex(KEY_ID_PATTERN.job),
  user_id: z.string().regex(KEY_ID_PATTERN.user),
  preset: z.string().min(1),
  concepts: conceptsSchema,
  protect: protectSchema,
  items: z.array(queueItemSchema).min(1).max(MAX_ITEMS_PER_JOB),
  callback_url: z.string().url(),
  idempotency_prefix: z.string().min(1),
  batch_concurrency: z.number().int().min(BATCH_CONCURRENCY.min).max(BATCH_CONCURRENCY.max),
  output_template: z.string().max(NAME_MAX).optional(),
  /** The template's variants (docs/sets.md): named concept maps, each rendered with the same masks. */
  variants: variantsSchema.optional(),
  watermark: z.boolean(),
  /** The language of the set's captions (docs/labels.md); absent from a Worker that predates it: ko. */
  locale: z.enum(LOCALES).default(DEFAULT_LOCALE),
  /** Which delivery of the job this is: 1 first, more after a lease re-queue. */
  attempt: z.number().int().min(1).default(1),
  /** The results' format (and the per-variant results'): png, jpeg or webp. */
  output_format: outputFormatSchema.default(DEFAULT_OUTPUT_FORMAT),
  /**
   * Present: a segment-only pass (docs/messages.md, Scan). Segment `scan.concepts` and `protect`, fill
   * the mask cache, report found figures per item; no edit, no outputs. `concepts` is then `{}`.
   */
  scan: z
    .strictObject({
      /** The job's scan number: 1 for its first scan, +1 for each scan after; scan callbacks echo it. */
      id: z.number().int().min(1),
      concepts: z.array(conceptNameSchema).max(64),
    })
    .optional(),
});
export type QueueMessage = z.infer<typeof queueMessageSchema>;
export type QueueMessageInput = z.input<typeof queueMessageSchema>;

/** A segment-only message (a scan): no edit, callbacks per item with a scan report. */
export function isScanMessage(message: Pick<QueueMessage, "scan">): message is QueueMessage & {
  scan: NonNullable<QueueMessage["scan"]>;
} {
  return message.scan !== undefined;
}

/** What a callback tells the Worker about the input it read: the mask cache's key for it, and its pixel size. */
export const callbackInputSchema = z.object({
  sha256: z.string().regex(SHA256_PATTERN),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  /** The segmenter and model version whose cache folder the item's masks are in. */
  segmenter_version: z.string().regex(SEGMENTER_VERSION_PATTERN),
});
export type CallbackInput = z.infer<typeof callbackInputSchema>;

/** Why one item failed, as the GPU worker reports it in `error_code`. */
export const ITEM_ERROR_CODES = [
  "INPUT_NOT_FOUND",
  "INPUT_INVALID",
  "INPUT_TOO_LARGE",
  "INPUT_CHANGED",
  "SEGMENT_FAILED",
  "APPLY_FAILED",
  "PROTECT_VIOLATION",
  "UPLOAD_FAILED",
  "LEASE_EXPIRED",
  "GPU_JOB_FAILED",
  "GPU_ERROR",
  "INTERNAL",
] as const;
export type ItemErrorCode = (typeof ITEM_ERROR_CODES)[number];

export const CALLBACK_ERROR_MAX = 500;

/** A code from the catalog, or GPU_ERROR for a missing or unknown one (another team's worker). */
export function itemErrorCode(code: string | null | undefined): ItemErrorCode {
  return (ITEM_ERROR_CODES as readonly string[]).includes(code ?? "") ? (code as ItemErrorCode) : "GPU_ERROR";
}

// Lenient in wording (docs/trust.md): a GPU worker that reports str(exception) is never refused.
export const callbackBodySchema = z
  .object({
    idx: z.number().int().min(0),
    status: z.enum(REPORTED_ITEM_STATUSES),
    output_key: z.string().min(1).nullable().default(null),
    preview_key: z.string().min(1).nullable().default(null),
    /** Free text for a failed item, cut at CALLBACK_ERROR_MAX characters; never shown raw to end users. */
    error: z
      .string()
      .nullable()
      .default(null)
      .transform((text) => text?.slice(0, CALLBACK_ERROR_MAX) ?? null),
    /** Any text: a code outside the catalog is recorded as GPU_ERROR, never refused (docs/trust.md). */
    error_code: z.string().optional(),
    /** Missing: the Worker derives `{job_id}:{idx}:attempt{n}`. */
    idempotency_key: z.string().min(1).max(200).optional(),
    /** A done item's set files (docs/sets.md), uploaded before the callback; none without a template. */
    files: z.array(setFileSchema).max(SET_FILES_MAX).optional(),
    /**
     * A done item's report (docs/reports.md): an item report, or for a scan (`scan_id` set) a scan
     * report. One that fails its schema or size reads as null, never refused.
     */
    report: z
      .preprocess(
        (value) =>
          itemReportSchema.safeParse(value).success || scanReportSchema.safeParse(value).success ? value : null,
        z.union([itemReportSchema, scanReportSchema]).nullable(),
      )
      .optional(),
    /** Set on a scan's callbacks: the message's `scan.id`. A scan callback has no output keys. */
    scan_id: z.number().int().min(1).optional(),
    /** The input as the GPU worker read it (the mask cache's key); one that fails its schema reads as absent. */
    input: z.preprocess(
      (value) => (callbackInputSchema.safeParse(value).success ? value : undefined),
      callbackInputSchema.optional(),
    ),
  })
  .refine(
    (body) =>
      body.status === "failed" || body.scan_id !== undefined || (body.output_key !== null && body.preview_key !== null),
    { message: "a done item needs output_key and preview_key" },
  );
export type CallbackBody = z.infer<typeof callbackBodySchema>;
export type CallbackBodyInput = z.input<typeof callbackBodySchema>;

export function idempotencyKey(prefix: string, idx: number, attempt: number): string {
  return `${prefix}:${idx}:attempt${attempt}`;
}

/** A scan callback's key: one per scan and item, whatever the delivery. */
export function scanIdempotencyKey(prefix: string, scanId: number, idx: number): string {
  return `${prefix}:scan${scanId}:${idx}`;
}
