// One item's report (docs/reports.md), computed from the pixels the render step already holds: the decoded
// input, the rule's output before the watermark and the encode, and the masks. No second decode.
import {
  reportFlag,
  resolveColor,
  watermarkRegion,
  type Bbox,
  type EditedConceptReport,
  type ItemReport,
  type ProtectConceptReport,
  type RgbImage,
} from "@s3/contract";
import type { ConceptEdit } from "../apply";
import type { Union } from "../concept-edits";
import type { ConceptMasks, SegmenterReport } from "../segmenter/types";
import { equalOutside, watermarkBox } from "./compare";
import { deltaEAtOwnLightness } from "./delta-e";
import { editFigures } from "./figures";
import { foundFigures, foundFlag, percent } from "./found";
import { protectProof } from "./protect";

export { equalOutside, watermarkBox } from "./compare";
export { scanReport } from "./scan";

export interface ReportInput {
  image: RgbImage;
  /** The rule's result, before the watermark is drawn and before any encode. */
  output: Uint8Array;
  instances: ConceptMasks;
  /** The owner map the kernel used (apply/owners.ts), when at hand; else it is built again. */
  owner?: Uint8Array | null;
  /** The rule's edits, in rule order, each with its concept's union mask. */
  edits: readonly ConceptEdit[];
  /** Each protect concept's union mask. */
  protect: ReadonlyMap<string, Union>;
  /** The union of every protect mask, or null without protect concepts. */
  protectUnion: Union | null;
  /** The free plan's watermark: its box is left out of every comparison. */
  watermark: boolean;
  segmenter: SegmenterReport;
  /** Segmented now ("model") or read from the mask cache ("cache"). */
  segmented?: ItemReport["segmented"];
}

/** The free plan's watermark box for a photo of this size, or null for a job without one. */
export function excludedBox(watermark: boolean, width: number, height: number): Bbox | null {
  return watermarkBox(watermark ? watermarkRegion(width, height) : null);
}

/** The report of one item's main result; variant flags are added once the variants exist (withVariants). */
export function itemReport(input: ReportInput): ItemReport {
  const { image, output, instances, edits, segmenter } = input;
  const { width, height } = image;
  const total = width * height;
  const excluded = excludedBox(input.watermark, width, height);
  const flags: string[] = [];
  const figures = editFigures(image.data, output, width, height, edits, input.protectUnion, input.owner ?? null);
  const concepts: Record<string, EditedConceptReport> = {};
  edits.forEach((edit, index) => {
    const found = instances.get(edit.concept) ?? [];
    const { changed, median } = figures[index]!;
    concepts[edit.concept] = {
      ...foundFigures(found, edit, width, height, segmenter),
      changed_pct: percent(changed, total),
      ...(edit.action === "recolor" && found.length > 0 && median
        ? { delta_e: deltaEAtOwnLightness(resolveColor(edit.value), median) }
        : {}),
    };
    const flag = foundFlag(edit.concept, found, segmenter);
    if (flag) flags.push(flag);
  });
  const protect: Record<string, ProtectConceptReport> = {};
  for (const [concept, union] of input.protect) {
    const { instances: count, area_pct } = foundFigures(instances.get(concept) ?? [], union, width, height, segmenter);
    protect[concept] = { instances: count, area_pct };
  }
  const proof = protectProof(image.data, output, width, input.protectUnion, excluded);
  if (equalOutside(image.data, output, width, excluded)) flags.push(reportFlag.noChange);
  return {
    segmented: input.segmented ?? "model",
    segmenter: segmenter.segmenter,
    concepts,
    protect,
    protect_changed_pixels: proof.changed,
    protect_sha256: proof.sha256,
    flags,
  };
}

/** The report with `variant_unchanged:<name>` for each variant whose result equals the input. */
export function withVariants(report: ItemReport, unchanged: readonly string[]): ItemReport {
  if (unchanged.length === 0) return report;
  return { ...report, flags: [...report.flags, ...unchanged.map(reportFlag.variantUnchanged)] };
}
