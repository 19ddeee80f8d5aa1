// A job's item as GET /jobs/{id}, the set manifest and the job events show it (docs/reports.md).
import { z } from "@hono/zod-openapi";
import {
  ITEM_STATUSES,
  itemReportSchema,
  SCAN_STATUSES,
  scanReportSchema,
  type ItemReport,
  type ScanReport,
} from "@s3/contract";

// Typed as the contract's ItemReport (its known fields): the schema itself also keeps unknown ones.
export const itemReportViewSchema = (itemReportSchema as unknown as z.ZodType<ItemReport>).openapi("ItemReport", {
  description:
    "What was found and changed in the photo, and that protect held (docs/reports.md). Fields a GPU worker " +
    "adds beyond these are kept.",
});

export const scanReportViewSchema = (scanReportSchema as unknown as z.ZodType<ScanReport>).openapi("ScanReport", {
  description:
    "What a scan found in the photo (docs/reports.md, Scan reports): instances, area and score per concept, " +
    "and flags; no edit figures.",
});

export const itemViewSchema = z
  .object({
    idx: z.number().int(),
    status: z.enum(ITEM_STATUSES).openapi({ description: "pending until the item's result is reported." }),
    error: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .openapi({ description: "Why a failed item failed, in plain words; null otherwise." }),
    report: z
      .union([itemReportViewSchema, scanReportViewSchema])
      .nullable()
      .openapi({ description: "A done item's report; before execute, the latest scan's report; null otherwise." }),
    needs_review: z.boolean().openapi({
      description: "A rule concept was not found (concept_not_found) or the edit changed nothing (no_change).",
    }),
  })
  .openapi("JobItem");

/** A job's latest scan (docs/reports.md, Scan reports): GET /jobs/{id} and the events show it. */
export const scanStateSchema = z
  .object({
    id: z.number().int().openapi({ description: "1 for the job's first scan, +1 for each after." }),
    status: z.enum(SCAN_STATUSES),
    concepts: z.array(z.string()).openapi({ description: "Every concept the scan segments." }),
    progress: z.object({ done: z.number().int(), failed: z.number().int(), total: z.number().int() }),
  })
  .openapi("Scan");
