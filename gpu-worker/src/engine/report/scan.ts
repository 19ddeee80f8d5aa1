// A scanned item's report (docs/reports.md, Scan reports): what the segmenter found of each concept
// and protect concept, with concept_not_found and low_confidence flags. Nothing was edited, so no
// edit figures and no protect proof.
import type { ItemReport, ProtectConceptReport, ScanReport } from "@s3/contract";
import { unionOf } from "../concept-edits";
import type { ConceptMasks, SegmenterReport } from "../segmenter/types";
import { foundFigures, foundFlag } from "./found";

export interface ScanReportInput {
  instances: ConceptMasks;
  width: number;
  height: number;
  /** The concepts the scan finds (found figures and flags). */
  concepts: readonly string[];
  protect: readonly string[];
  segmenter: SegmenterReport;
  segmented: ItemReport["segmented"];
}

export function scanReport(input: ScanReportInput): ScanReport {
  const { instances, width, height, segmenter } = input;
  const figures = (concept: string) =>
    foundFigures(instances.get(concept) ?? [], unionOf(instances, concept, width, height), width, height, segmenter);
  const protect: Record<string, ProtectConceptReport> = {};
  for (const concept of input.protect) {
    const { instances: count, area_pct } = figures(concept);
    protect[concept] = { instances: count, area_pct };
  }
  return {
    segmented: input.segmented,
    segmenter: segmenter.segmenter,
    concepts: Object.fromEntries(input.concepts.map((concept) => [concept, figures(concept)])),
    protect,
    flags: input.concepts.flatMap((concept) => foundFlag(concept, instances.get(concept) ?? [], segmenter) ?? []),
  };
}
