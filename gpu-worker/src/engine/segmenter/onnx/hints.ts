// Hints as SAM 3's geometric prompts (gpu-worker/README.md, "ONNX segmenter (SAM 3)"): the decoder's
// `input_boxes` [prompts, boxes, 4] take boxes as (cx, cy, w, h) normalised to the model input, and
// `input_boxes_labels` [prompts, boxes] 1 for include, 0 for exclude, -10 for padding. SAM 3's
// detector has no point input: a point becomes a small box of its label around it.
import type { ConceptHint } from "../types";
import type { InputGeometry } from "./preprocess";

/** A point's box side, as a share of the model input side. */
export const POINT_BOX_SIDE = 1 / 64;
/** The label of a padding box, which the geometry encoder ignores. */
export const PADDING_LABEL = -10;

/** One concept's geometric prompts: `boxes` flat (cx, cy, w, h) × n, `labels` n. Structured-cloneable. */
export interface BoxPrompts {
  boxes: number[];
  labels: number[];
}

const clamp01 = (value: number) => Math.max(0, Math.min(1, value));

/** A hint in photo pixels → boxes normalised to the model input, where the photo lies at its content size. */
export function boxPrompts(hint: ConceptHint, width: number, height: number, geometry: InputGeometry): BoxPrompts {
  const sx = geometry.contentWidth / width / geometry.size,
    sy = geometry.contentHeight / height / geometry.size;
  const boxes: number[] = [];
  const labels: number[] = [];
  for (const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] of hint.boxes ?? []) {
    const [a, b, c, d] = [clamp01(x0 * sx), clamp01(y0 * sy), clamp01(x1 * sx), clamp01(y1 * sy)];
    boxes.push((a + c) / 2, (b + d) / 2, c - a, d - b);
    labels.push(1);
  }
  for (const [x = 0, y = 0, label = 1] of hint.points ?? []) {
    boxes.push(clamp01((x + 0.5) * sx), clamp01((y + 0.5) * sy), POINT_BOX_SIDE, POINT_BOX_SIDE);
    labels.push(label);
  }
  return { boxes, labels };
}

/**
 * The decoder's box inputs for a group of prompts (one, or all of a photo's concepts when batched):
 * every prompt padded to the group's most boxes (at least one), padding labelled PADDING_LABEL.
 */
export function boxFeeds(group: readonly (BoxPrompts | undefined)[]): {
  boxes: Float32Array;
  labels: BigInt64Array;
  count: number;
} {
  const count = Math.max(1, ...group.map((prompts) => prompts?.labels.length ?? 0));
  const boxes = new Float32Array(group.length * count * 4);
  const labels = new BigInt64Array(group.length * count).fill(BigInt(PADDING_LABEL));
  group.forEach((prompts, row) => {
    if (!prompts) return;
    boxes.set(prompts.boxes, row * count * 4);
    prompts.labels.forEach((label, at) => (labels[row * count + at] = BigInt(label)));
  });
  return { boxes, labels, count };
}
