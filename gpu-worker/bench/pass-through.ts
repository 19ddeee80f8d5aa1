// bench:pipeline's pass-through item stage: each input copied to its result and preview keys, nothing
// decoded, segmented or rendered, so the benchmark sees the control plane alone (Worker, Durable Objects,
// bridge, R2, callbacks). Injected by bench/pass-through-worker.ts; production never loads it.
import { OUTPUT_CONTENT_TYPE } from "@s3/contract";
import type { ItemStage } from "../src/engine/pipeline";
import type { Segmenter } from "../src/engine/segmenter/types";

export const passThroughStage: ItemStage = async ({ message, item, storage, readInput }) => {
  const bytes = await readInput();
  await Promise.all([
    storage.put(item.output_key, bytes, OUTPUT_CONTENT_TYPE[message.output_format]),
    storage.put(item.preview_key, bytes, "image/jpeg"),
  ]);
  return { uploaded: [] };
};

/** The segmenter beside it: prepares nothing, and refuses if anything asks it to segment. */
export const passThroughSegmenter: Segmenter = {
  name: "pass-through (benchmark: segments nothing)",
  report: { segmenter: "pass-through@bench", scores: false },
  forJob: async () => ({ segment: () => Promise.reject(new Error("the pass-through benchmark segments nothing")) }),
  close: async () => {},
};
