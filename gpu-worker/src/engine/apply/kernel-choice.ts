// Which per-pixel kernel runs: the WebAssembly SIMD one when it could be built, else the JavaScript
// one. Both give the same bytes (test/applier-kernels.test.ts).
import type { RgbImage } from "@s3/contract";
import { compileEdits } from "./compile";
import { featherAlpha } from "./edges";
import { applyKernelJs } from "./kernel/js";
import { wasmKernel } from "./kernel/wasm";
import { ownerMap } from "./owners";
import type { Bbox } from "@s3/contract";
import type { ConceptEdit } from "./types";

/** Which per-pixel kernel applyRule uses: "wasm-simd", or "js" where WebAssembly could not be built. */
export const PIXEL_KERNEL: "wasm-simd" | "js" = wasmKernel ? "wasm-simd" : "js";

/** The photo with every edit applied inside its owned, feathered pixels: a new RGB buffer. */
export function editPixels(
  image: RgbImage,
  edits: readonly ConceptEdit[],
  protect: Uint8Array | null,
  protectBbox: Bbox | null,
): Uint8Array {
  const { width, height } = image;
  if (wasmKernel) {
    // The photo, owner map and alpha go straight into the kernel's memory: no copies in or out.
    const photo = wasmKernel.photo(width, height);
    photo.pixels.set(image.data);
    const owner = ownerMap(width, height, edits, protect, protectBbox, photo.owner);
    featherAlpha(owner, width, height, photo.alpha);
    photo.apply(compileEdits(image, owner, edits));
    return photo.pixels;
  }
  const out = image.data.slice();
  const owner = ownerMap(width, height, edits, protect, protectBbox);
  applyKernelJs(image, owner, featherAlpha(owner, width, height), compileEdits(image, owner, edits), out);
  return out;
}
