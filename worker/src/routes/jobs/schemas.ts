// The request and response schemas of the job endpoints (docs/architecture.md, Endpoints), shared by
// their files in this folder.
import { z } from "@hono/zod-openapi";
import {
  conceptsSchema,
  JOB_STATUSES,
  LOCALES,
  MAX_ITEMS_PER_JOB,
  NAME_MAX,
  protectSchema,
  SET_CONTENT_TYPES,
  SET_ROLES,
  TEMPLATE_SLUGS,
  variantsSchema,
  webhookRequestSchema,
} from "@s3/contract";
import { itemViewSchema } from "../../lib/item-view-schema";
import { PHOTO_NAME_MAX } from "../../lib/set-names";
import { fromJobFields, hintsBodySchema, outputFormatBodySchema, scanStateSchema } from "./album/schemas";

export const createJobBodySchema = z
  .strictObject({
    preset: z.string().max(64).openapi({ example: "interior" }),
    item_count: z
      .number()
      .int()
      .min(1)
      .max(MAX_ITEMS_PER_JOB)
      .optional()
      .openapi({ description: "Photos in the job: 1..plan maximum (free 10, pro 200).", example: 3 }),
    ...fromJobFields,
    sizes: z
      .array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))
      .max(MAX_ITEMS_PER_JOB)
      .optional()
      .openapi({
        description:
          "Each input's size in bytes, by idx (one per item, each at most MAX_UPLOAD_BYTES): its upload URL then " +
          "signs content-length, and storage refuses a PUT of any other length.",
        example: [482113, 501872, 467920],
      }),
    names: z
      .array(z.string().trim().min(1).max(PHOTO_NAME_MAX))
      .max(MAX_ITEMS_PER_JOB)
      .optional()
      .openapi({
        description:
          "Each photo's file name, by idx (one per item): the set's ZIP names its files after them " +
          "(living-room.jpg → before_after/living-room_before_after.jpg; docs/sets.md).",
        example: ["living-room.jpg", "kitchen.jpg", "bath.jpg"],
      }),
  })
  .openapi("CreateJob");

export const uploadSchema = z
  .array(
    z.object({
      idx: z.number().int(),
      url: z
        .string()
        .openapi({ description: "Presigned S3 PUT URL for this item's input; valid for this key and PUT only." }),
      key: z.string(),
    }),
  )
  .openapi("Upload");

export const createdJobSchema = z
  .object({ job_id: z.string(), upload: uploadSchema, confirm_url: z.string() })
  .openapi("CreatedJob");

export const executeBodySchema = z
  .strictObject({
    concepts: conceptsSchema.default({}).openapi({ example: { Floor: { action: "recolor", value: "oak_a" } } }),
    protect: protectSchema.default([]).openapi({ example: ["Grout"] }),
    rule_id: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "A saved rule of the job's preset; replaces the inline concepts and protect." }),
    output_template: z
      .string()
      .max(NAME_MAX)
      .optional()
      .openapi({ description: "One of the preset's output templates, by id or slug.", example: "전후비교" }),
    variants: variantsSchema.optional().openapi({
      description:
        "Named concept maps, one result each (docs/sets.md): three_options 2–3 (default: the preset's styles), " +
        "option_board 2–8 (required); refused for every other template.",
    }),
    locale: z.enum(LOCALES).optional().openapi({
      description:
        "The language of the set's captions (docs/labels.md); default: the request's Accept-Language, else ko.",
      example: "en",
    }),
    webhook: webhookRequestSchema.optional().openapi({
      description:
        "Where to POST the job's events, signed per Standard Webhooks with GET /me/webhook-secret " +
        '(docs/webhooks.md). events ⊆ ["item", "end"], default ["end"]; https only (http to loopback in local dev).',
      example: { url: "https://example.com/hooks/s3", events: ["item", "end"] },
    }),
    hints: hintsBodySchema,
    output_format: outputFormatBodySchema,
  })
  .openapi("ExecuteJob");

export const jobStatusSchema = z.object({ job_id: z.string(), status: z.enum(JOB_STATUSES) }).openapi("JobStatus");

// What clients see of each item (docs/reports.md): its status, why it failed, its report and whether
// it needs a look. GET /jobs/{id} and the set manifest show the same view (itemProgressOf).

export const jobSchema = z
  .object({
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    preset: z.string(),
    progress: z.object({
      done: z.number().int(),
      failed: z.number().int(),
      total: z.number().int(),
      needs_review: z.number().int().openapi({ description: "Done items that need review (docs/reports.md)." }),
    }),
    upload: uploadSchema.optional().openapi({
      description: "While the job is created: fresh presigned PUT URLs, so a client that lost them can finish.",
    }),
    deleted_at: z.string().optional().openapi({
      description: "Set once the job's objects were deleted (DELETE /jobs/{id} or RETENTION_DAYS); then no URLs.",
    }),
    scan: scanStateSchema
      .optional()
      .openapi({ description: "The latest scan (POST /jobs/{id}/scan), once the job was scanned." }),
    outputs_ready: z.array(
      z.object({
        idx: z.number().int(),
        result_url: z
          .string()
          .openapi({ description: "Presigned GET URL of the result (in the job's output format)." }),
        preview_url: z.string().openapi({ description: "Presigned GET URL of the JPEG preview." }),
        masks: z
          .array(
            z.object({
              concept: z.string(),
              protect: z.boolean().openapi({ description: "A protect concept's mask (never edited)." }),
              url: z.string().openapi({
                description: "Presigned GET URL of the concept's mask: a PNG the photo's size, white where it is.",
              }),
            }),
          )
          .openapi({ description: "Each rule and protect concept the photo's report found, with its mask." }),
      }),
    ),
    items: z.array(itemViewSchema).openapi({ description: "Every item, by idx, with its report." }),
  })
  .openapi("Job");

export const canceledJobSchema = jobStatusSchema.extend({ refunded: z.number().int() }).openapi("CanceledJob");

export const setFileViewSchema = z
  .object({
    idx: z.number().int(),
    role: z.enum(SET_ROLES),
    part: z
      .string()
      .nullable()
      .openapi({ description: "pack: main, detail_1…; thumbnail: 1080x1350…; variant: its key part." }),
    variant: z.string().nullable().openapi({ description: "The variant's name for role variant." }),
    width: z.number().int().nullable().openapi({ description: "null for result and preview (not reported)." }),
    height: z.number().int().nullable(),
    bytes: z.number().int().nullable(),
    content_type: z.enum(SET_CONTENT_TYPES),
    name: z.string().openapi({ description: "The file's path in the ZIP: {role}/{file name}." }),
    url: z.string().openapi({ description: "Presigned GET URL." }),
  })
  .openapi("SetFile");

export const setManifestSchema = z
  .object({
    job_id: z.string(),
    template: z.enum(TEMPLATE_SLUGS).nullable().openapi({ description: "The output template's slug." }),
    template_id: z
      .string()
      .nullable()
      .openapi({ description: "The same template's id, as execute and GET /jobs name it." }),
    files: z.array(setFileViewSchema),
    items: z.array(itemViewSchema).openapi({ description: "Every item with its report: which photos need a look." }),
    deleted_at: z
      .string()
      .optional()
      .openapi({ description: "Present once the job's objects were deleted: the set is then empty." }),
    zip_url: z.string().openapi({ description: "The whole set as one ZIP: a signed link, no token needed, expiring." }),
  })
  .openapi("SetManifest");

export const setZipQuery = z.object({
  expires: z.string().max(20).optional().openapi({ description: "From zip_url." }),
  sig: z.string().max(100).optional().openapi({ description: "From zip_url." }),
});
