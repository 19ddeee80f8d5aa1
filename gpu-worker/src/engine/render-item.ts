// The render step for one item, as one function: decoded photo + instance masks + the message's rule →
// every output file and the item's report (docs/gpu-worker.md, docs/reports.md). It runs on a pool
// thread (render-pool.ts), or inline.
import type { ItemReport, QueueItem, QueueMessage, RgbImage } from "@s3/contract";
import { applyRuleReusing, type ConceptEdit, type EditedPixels } from "./apply";
import { conceptUnions } from "./concept-edits";
import { ItemError } from "./errors";
import { encodeOutputs, type OutputFile } from "./outputs";
import { itemReport, withVariants } from "./report";
import type { ConceptMasks, SegmenterReport } from "./segmenter/types";

/** One item's render step input; its pixel and mask buffers move to the pool thread, never copied. */
export interface RenderTask {
  message: QueueMessage;
  item: QueueItem;
  image: RgbImage;
  instances: ConceptMasks;
  /** What made the masks, as the report names it. */
  segmenter: SegmenterReport;
  /** Whether the masks were segmented now ("model", the default) or read from the mask cache. */
  segmented?: ItemReport["segmented"];
}

/** What the render step hands back for one item: the files to upload, and the report its callback carries. */
export interface RenderedItem {
  files: OutputFile[];
  report: ItemReport;
}

export async function renderItem(task: RenderTask): Promise<RenderedItem> {
  const { message, item, image, instances } = task;
  const { width, height } = image;
  const unions = conceptUnions(instances, width, height);
  let result: EditedPixels;
  let report: ItemReport;
  try {
    const edits: ConceptEdit[] = unions.edits(message.concepts);
    const protect = unions.protect(message.protect);
    result = applyRuleReusing({
      image,
      edits,
      protect: protect?.mask ?? null,
      protectBbox: protect?.bbox ?? null,
      // encodeOutputs draws it, after the set is rendered from the clean result.
      watermark: false,
    });
    report = itemReport({
      image,
      output: result.pixels,
      owner: result.owner,
      instances,
      edits,
      protect: new Map(message.protect.map((concept) => [concept, unions.of(concept)])),
      protectUnion: protect,
      watermark: message.watermark,
      segmenter: task.segmenter,
      segmented: task.segmented ?? "model",
    });
  } catch (error) {
    throw new ItemError("APPLY_FAILED", String(error));
  }
  try {
    // Protect proven before anything is encoded or uploaded (docs/reports.md).
    if (report.protect_changed_pixels > 0)
      throw new ItemError(
        "PROTECT_VIOLATION",
        `${report.protect_changed_pixels} protect pixels changed (protect sha256 ` +
          `${report.protect_sha256.input} in, ${report.protect_sha256.output} out)`,
      );
    const masks = new Map([...unions.built].map(([concept, { mask }]) => [concept, mask]));
    const files = await encodeOutputs({ message, item, image, width, height, result: result.pixels, masks, instances });
    const unchanged = files.flatMap((file) => (file.unchanged && file.set?.variant ? [file.set.variant] : []));
    return { files, report: withVariants(report, unchanged) };
  } finally {
    result.release();
  }
}
