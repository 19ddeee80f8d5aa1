// The request and response schemas of the album endpoints (docs/albums.md): a scan, re-runs and retries,
// hints and output formats. Beside the router, so each endpoint file may import it.
import { z } from "@hono/zod-openapi";
import { scanStateSchema } from "../../../lib/item-view-schema";
import { conceptNameSchema, hintsSchema, JOB_STATUSES, MAX_ITEMS_PER_JOB, OUTPUT_FORMATS } from "@s3/contract";

export const hintsBodySchema = hintsSchema.optional().openapi({
  description:
    "By item index, per concept: boxes [[x0, y0, x1, y1], …] and points [[x, y, 1 | 0], …] in the photo's pixel " +
    "coordinates (1 include, 0 exclude), at most 8 boxes and 16 points per concept (docs/messages.md, Hints).",
  example: { "0": { Cabinet: { boxes: [[120, 340, 980, 1210]], points: [[500, 700, 1]] } } },
});

export const outputFormatBodySchema = z
  .enum(OUTPUT_FORMATS)
  .optional()
  .openapi({ description: "The results' format: png (default, lossless), jpeg or webp (quality 92)." });

export const scanBodySchema = z
  .strictObject({
    concepts: z
      .array(conceptNameSchema)
      .min(1)
      .max(64)
      .optional()
      .openapi({
        description: "Concepts of the preset to find; default: its concepts and protect defaults.",
        example: ["Wall", "Floor", "Grout"],
      }),
    hints: hintsBodySchema,
  })
  .openapi("ScanJob");

export { scanStateSchema };

export const scanAnswerSchema = z
  .object({ job_id: z.string(), status: z.enum(JOB_STATUSES), scan: scanStateSchema })
  .openapi("ScanAnswer");

export const retryBodySchema = z
  .strictObject({
    hints: hintsSchema.optional().openapi({
      description: "Hints by the source job's item index (docs/messages.md, Hints); replace the source's.",
    }),
  })
  .openapi("RetryJob");

export const copiedJobSchema = z
  .object({
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    from_job: z.string(),
    from_items: z
      .array(z.number().int())
      .openapi({ description: "The new job's item i is the source job's item from_items[i]." }),
  })
  .openapi("CopiedJob");

export const fromJobFields = {
  from_job: z
    .string()
    .max(64)
    .optional()
    .openapi({
      description:
        "A re-run: a finished, not deleted job of yours whose inputs the new job copies (no upload); the job " +
        "starts uploaded. Give item_count or from_job, not both.",
      example: "job_k3q9v2m7x4c8b6n1p5r0t2w4y6",
    }),
  items: z
    .array(z.number().int().min(0))
    .min(1)
    .max(MAX_ITEMS_PER_JOB)
    .optional()
    .openapi({ description: "With from_job: the source's item indices to copy, in order (default: all)." }),
};
