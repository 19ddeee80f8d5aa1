// The render step: a rule's actions applied inside concept masks, never inside protect masks.
// Pure: pixels and masks in, pixels out. Per-pixel work is table lookups on typed arrays.
// The parts: owners.ts (who edits each pixel), edges.ts (feather), compile.ts and tone.ts
// (lookup tables), kernel-choice.ts (wasm or js kernel), watermark.ts.
import type { RgbImage } from "@s3/contract";
import { editPixels, editPixelsReusing, type EditedPixels } from "./kernel-choice";
import type { Bbox } from "@s3/contract";
import type { ConceptEdit } from "./types";
import { drawWatermark } from "./watermark";

export { compileEdits } from "./compile";
export { featherAlpha } from "./edges";
export { PIXEL_KERNEL, type EditedPixels } from "./kernel-choice";
export { applyKernelJs } from "./kernel/js";
export type { CompiledEdit } from "./kernel/types";
export { wasmKernel } from "./kernel/wasm";
export { ownerMap } from "./owners";
export type { ConceptEdit } from "./types";
export { drawWatermark } from "./watermark";

export interface ApplyInput {
  image: RgbImage;
  /** In rule order; where two concepts overlap, the later one wins. */
  edits: readonly ConceptEdit[];
  /** Union of every protect concept's instances, or null. */
  protect: Uint8Array | null;
  /** Box around the protect mask, when known. */
  protectBbox?: Bbox | null;
  watermark: boolean;
}

/** The whole of the render step for one photo: a new RGB buffer of the input's size. */
export function applyRule(input: ApplyInput): Uint8Array {
  const { image, edits, protect, protectBbox, watermark } = input;
  const out = edits.length === 0 ? image.data.slice() : editPixels(image, edits, protect, protectBbox ?? null);
  if (watermark) drawWatermark(out, image.width, image.height);
  return out;
}

/**
 * applyRule into a kernel memory reused across photos of one size (kernel-choice.ts): the same
 * bytes, without a fresh memory's page faults. The pixels are valid until `release()`.
 */
export function applyRuleReusing(input: ApplyInput): EditedPixels {
  const { image, edits, protect, protectBbox, watermark } = input;
  const edited =
    edits.length === 0
      ? { pixels: image.data.slice(), owner: null, release() {} }
      : editPixelsReusing(image, edits, protect, protectBbox ?? null);
  if (watermark) drawWatermark(edited.pixels, image.width, image.height);
  return edited;
}
