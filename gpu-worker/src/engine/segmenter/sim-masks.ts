// The sim segmenter's masks, built where onnx's are: on the segmenter thread (thread.ts), so the
// benchmark's main thread does what production's does and no more (docs/gpu-worker.md, "Segmenter thread").
import type { ConceptMasks, Instance } from "./types";

/** One instance of the ground truth, kept as [start, end) runs of flat pixel indices. */
export interface KnownInstance {
  runs: Int32Array;
  bbox: [number, number, number, number];
  area: number;
}

/** The kept instances of each concept of one photo, in the order the masks come back. */
export interface SimMasksRequest {
  width: number;
  concepts: { concept: string; instances: KnownInstance[] }[];
}

/** The instance's mask cropped to its box; a run may wrap rows, so it is split row by row. */
function expand(instance: KnownInstance, concept: string, id: number, width: number): Instance {
  const [x0, y0, w, h] = instance.bbox;
  const mask = new Uint8Array(w * h);
  for (let r = 0; r < instance.runs.length; r += 2) {
    for (let p = instance.runs[r]!, end = instance.runs[r + 1]!; p < end;) {
      const y = Math.floor(p / width),
        rowEnd = Math.min(end, (y + 1) * width);
      const at = (y - y0) * w - x0;
      mask.fill(255, at + (p - y * width), at + (rowEnd - y * width));
      p = rowEnd;
    }
  }
  return { concept, id, mask, bbox: [...instance.bbox], area: instance.area, score: 1 };
}

export function simMasks({ width, concepts }: SimMasksRequest): ConceptMasks {
  return new Map(
    concepts.map(({ concept, instances }) => [
      concept,
      instances.map((instance, id) => expand(instance, concept, id, width)),
    ]),
  );
}
