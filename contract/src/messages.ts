// The two messages that cross between the Worker and the GPU worker (docs/messages.md).
import { z } from "zod";
import { MAX_ITEMS_PER_JOB } from "./plans";
import { ACTIONS } from "./presets";
import { REPORTED_ITEM_STATUSES } from "./statuses";

export const NAME_MAX = 100;
export const VALUE_MAX = 64;

export const conceptNameSchema = z.string().min(1).max(NAME_MAX);
export const ruleActionSchema = z.object({
  action: z.enum(ACTIONS),
  value: z.string().min(1).max(VALUE_MAX),
});
export type RuleAction = z.infer<typeof ruleActionSchema>;
export const conceptsSchema = z.record(conceptNameSchema, ruleActionSchema);
export const protectSchema = z.array(conceptNameSchema).max(64);

export const queueItemSchema = z.object({
  idx: z.number().int().min(0),
  input_key: z.string().min(1),
  output_key: z.string().min(1),
  preview_key: z.string().min(1),
});
export type QueueItem = z.infer<typeof queueItemSchema>;

export const queueMessageSchema = z.object({
  job_id: z.string().min(1),
  user_id: z.string().min(1),
  preset: z.string().min(1),
  concepts: conceptsSchema,
  protect: protectSchema,
  items: z.array(queueItemSchema).min(1).max(MAX_ITEMS_PER_JOB),
  callback_url: z.string().url(),
  idempotency_prefix: z.string().min(1),
  batch_concurrency: z.number().int().min(1).max(64),
  output_template: z.string().max(NAME_MAX).optional(),
  watermark: z.boolean(),
  /** Which delivery of the job this is: 1 first, more after a lease re-queue. */
  attempt: z.number().int().min(1).default(1),
});
export type QueueMessage = z.infer<typeof queueMessageSchema>;
export type QueueMessageInput = z.input<typeof queueMessageSchema>;

/** Why one item failed, as reported in its callback. */
export const ITEM_ERROR_CODES = [
  "INPUT_NOT_FOUND",
  "INPUT_INVALID",
  "INPUT_TOO_LARGE",
  "SEGMENT_FAILED",
  "APPLY_FAILED",
  "UPLOAD_FAILED",
  "LEASE_EXPIRED",
  "GPU_JOB_FAILED",
  "INTERNAL",
] as const;
export type ItemErrorCode = (typeof ITEM_ERROR_CODES)[number];

export const callbackBodySchema = z
  .object({
    idx: z.number().int().min(0),
    status: z.enum(REPORTED_ITEM_STATUSES),
    output_key: z.string().min(1).nullable(),
    preview_key: z.string().min(1).nullable(),
    error: z.enum(ITEM_ERROR_CODES).nullable(),
    /** Human-readable detail for a failed item; never shown raw to end users. */
    error_message: z.string().max(500).optional(),
    idempotency_key: z.string().min(1).max(200),
  })
  .refine((body) => body.status === "failed" || (body.output_key !== null && body.preview_key !== null), {
    message: "a done item needs output_key and preview_key",
  })
  .refine((body) => body.status === "done" || body.error !== null, {
    message: "a failed item needs an error code",
  });
export type CallbackBody = z.infer<typeof callbackBodySchema>;

export function idempotencyKey(prefix: string, idx: number, attempt: number): string {
  return `${prefix}:${idx}:attempt${attempt}`;
}
