// What a segmenter found of one concept, as every report says it (docs/reports.md): the same figures
// for an edited concept, a protect concept and a scanned one.
import { LOW_CONFIDENCE_SCORE, reportFlag, type Bbox, type FoundConceptReport } from "@s3/contract";
import type { Instance, SegmenterReport } from "../segmenter/types";
import { unionArea } from "./figures";

export const percent = (pixels: number, total: number) => Math.round((10_000 * pixels) / total) / 100;

/** Instances, the union's share of the photo, and the best score (1 from a segmenter that does not score; 0 with
 *  no instance). */
export function foundFigures(
  found: readonly Instance[],
  union: { mask: Uint8Array; bbox?: Bbox | null },
  width: number,
  height: number,
  segmenter: SegmenterReport,
): FoundConceptReport {
  const best = found.reduce((top, instance) => Math.max(top, instance.score), 0);
  return {
    instances: found.length,
    area_pct: percent(unionArea(found, union, width, height), width * height),
    score: found.length === 0 ? 0 : segmenter.scores ? Math.round(best * 1000) / 1000 : 1,
  };
}

/** concept_not_found or low_confidence for a concept a rule or scan asks for, or null. */
export function foundFlag(concept: string, found: readonly Instance[], segmenter: SegmenterReport): string | null {
  if (found.length === 0) return reportFlag.conceptNotFound(concept);
  const best = found.reduce((top, instance) => Math.max(top, instance.score), 0);
  return segmenter.scores && best < LOW_CONFIDENCE_SCORE ? reportFlag.lowConfidence(concept) : null;
}
