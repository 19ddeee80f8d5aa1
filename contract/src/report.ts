// One done item's report (docs/reports.md): what was found and changed in the photo, and that
// protect held. The GPU worker computes it in the same pass as the edit; the Worker stores and
// serves it. Liberal like the rest of the callback: fields it does not know are kept, within a size.
import { z } from "zod";

/** How the masks were obtained: segmented now, or read from the mask cache. */
export const REPORT_SEGMENTED = ["model", "cache"] as const;

/** The most concepts (edited or protect) one report describes; a preset has fewer. */
export const REPORT_CONCEPTS_MAX = 64;
export const REPORT_FLAGS_MAX = 128;
/** The largest report, as JSON, the Worker keeps with an item. */
export const REPORT_MAX_BYTES = 16_384;

const percent = z.number().min(0).max(100);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

function conceptMap<T extends z.ZodType>(figures: T) {
  return z
    .record(z.string().min(1).max(100), figures)
    .refine((map) => Object.keys(map).length <= REPORT_CONCEPTS_MAX, `at most ${REPORT_CONCEPTS_MAX} concepts`);
}

const editedConceptShape = {
  instances: z.number().int().min(0),
  /** The union of the concept's instances, as a share of the photo. */
  area_pct: percent,
  /** The best instance's confidence; 1 from a segmenter that does not score. */
  score: z.number().min(0).max(1),
  /** The share of the photo whose pixels the edit of this concept changed. */
  changed_pct: percent,
  /** recolor only: CIEDE2000 from the target colour to the edited region's median colour. */
  delta_e: z.number().min(0).nullable().optional(),
};
export const editedConceptReportSchema = z.looseObject(editedConceptShape);

const protectConceptShape = {
  instances: z.number().int().min(0),
  area_pct: percent,
};
export const protectConceptReportSchema = z.looseObject(protectConceptShape);

const itemReportShape = {
  segmented: z.enum(REPORT_SEGMENTED),
  /** What made the masks: "sam3@<model version>", "cpu-stand-in@<n>", "sim@<n>". */
  segmenter: z.string().min(1).max(100),
  concepts: conceptMap(editedConceptReportSchema),
  protect: conceptMap(protectConceptReportSchema),
  protect_changed_pixels: z.number().int().min(0),
  protect_sha256: z.looseObject({ input: sha256, output: sha256 }),
  flags: z.array(z.string().min(1).max(160)).max(REPORT_FLAGS_MAX),
};
export const itemReportSchema = z
  .looseObject(itemReportShape)
  .refine((report) => JSON.stringify(report).length <= REPORT_MAX_BYTES, `at most ${REPORT_MAX_BYTES} bytes`);

// The types name the known fields only (extra ones a GPU worker sends are kept, but not typed): they
// cross Durable Object RPC, whose types refuse open-ended `unknown` members.
export type EditedConceptReport = z.infer<z.ZodObject<typeof editedConceptShape>>;
export type ProtectConceptReport = z.infer<z.ZodObject<typeof protectConceptShape>>;
export type ItemReport = Omit<
  z.infer<z.ZodObject<typeof itemReportShape>>,
  "concepts" | "protect" | "protect_sha256"
> & {
  concepts: Record<string, EditedConceptReport>;
  protect: Record<string, ProtectConceptReport>;
  protect_sha256: { input: string; output: string };
};

const foundConceptShape = {
  instances: z.number().int().min(0),
  area_pct: percent,
  score: z.number().min(0).max(1),
};
export const foundConceptReportSchema = z.looseObject(foundConceptShape);

const scanReportShape = {
  segmented: z.enum(REPORT_SEGMENTED),
  segmenter: z.string().min(1).max(100),
  /** What a scan found of each concept it was asked for: no edit figures, nothing was edited. */
  concepts: conceptMap(foundConceptReportSchema),
  protect: conceptMap(protectConceptReportSchema),
  /** concept_not_found and low_confidence only (no_change and variant_unchanged need an edit). */
  flags: z.array(z.string().min(1).max(160)).max(REPORT_FLAGS_MAX),
};
/** A scanned item's report (docs/reports.md, Scan reports): the found figures and flags of a segment-only pass. */
export const scanReportSchema = z
  .looseObject(scanReportShape)
  .refine((report) => JSON.stringify(report).length <= REPORT_MAX_BYTES, `at most ${REPORT_MAX_BYTES} bytes`);
export type FoundConceptReport = z.infer<z.ZodObject<typeof foundConceptShape>>;
export type ScanReport = Omit<z.infer<z.ZodObject<typeof scanReportShape>>, "concepts" | "protect"> & {
  concepts: Record<string, FoundConceptReport>;
  protect: Record<string, ProtectConceptReport>;
};

/** The flags a report may raise; other GPU workers may add their own (kept, not interpreted). */
export const reportFlag = {
  conceptNotFound: (concept: string) => `concept_not_found:${concept}`,
  lowConfidence: (concept: string) => `low_confidence:${concept}`,
  noChange: "no_change",
  variantUnchanged: (variant: string) => `variant_unchanged:${variant}`,
} as const;

/** A best score under this, from a segmenter that scores, flags `low_confidence`. */
export const LOW_CONFIDENCE_SCORE = 0.5;

/** An item a person should look at: a rule concept was not found, or the edit changed nothing. */
export function needsReview(report: Pick<ItemReport | ScanReport, "flags"> | null | undefined): boolean {
  return (report?.flags ?? []).some((flag) => flag === reportFlag.noChange || flag.startsWith("concept_not_found:"));
}
