// The render step for one item, as one function: decoded photo + instance masks + the message's rule →
// every output file (docs/gpu-worker.md). It runs on a pool thread (render-pool.ts), or inline.
import type { QueueItem, QueueMessage, RgbImage } from "@s3/contract";
import { applyRuleReusing, type ConceptEdit, type EditedPixels } from "./apply";
import { ItemError } from "./errors";
import { encodeOutputs, unionOf, type OutputFile } from "./outputs";
import type { ConceptMasks } from "./segmenter/types";

/** One item's render step input; its pixel and mask buffers move to the pool thread, never copied. */
export interface FinishTask {
  message: QueueMessage;
  item: QueueItem;
  image: RgbImage;
  instances: ConceptMasks;
}

export async function finishItem(task: FinishTask): Promise<OutputFile[]> {
  const { message, item, image, instances } = task;
  const { width, height } = image;
  const masks = new Map<string, Uint8Array>();
  let result: EditedPixels;
  try {
    const edits: ConceptEdit[] = Object.entries(message.concepts).map(([concept, rule]) => {
      const { mask, bbox } = unionOf(instances, concept, width, height);
      masks.set(concept, mask);
      return { concept, ...rule, mask, bbox };
    });
    for (const concept of message.protect) masks.set(concept, unionOf(instances, concept, width, height).mask);
    const protect = message.protect.length > 0 ? unionOf(instances, message.protect, width, height) : null;
    result = applyRuleReusing({
      image,
      edits,
      protect: protect?.mask ?? null,
      protectBbox: protect?.bbox ?? null,
      // encodeOutputs draws it, after the set is rendered from the clean result.
      watermark: false,
    });
  } catch (error) {
    throw new ItemError("APPLY_FAILED", String(error));
  }
  try {
    return await encodeOutputs({ message, item, image, width, height, result: result.pixels, masks, instances });
  } finally {
    result.release();
  }
}
