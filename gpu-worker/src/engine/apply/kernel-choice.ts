// Which per-pixel kernel runs: the WebAssembly SIMD one when it could be built, else the JavaScript
// one. Both give the same bytes (test/engine/apply/kernel.test.ts).
import type { RgbImage } from "@s3/contract";
import { compileEdits } from "./compile";
import { featherAlpha } from "./edges";
import { applyKernelJs } from "./kernel/js";
import { wasmKernel, type WasmPhoto } from "./kernel/wasm";
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
  if (wasmKernel) return runWasm(wasmKernel.photo(width, height), image, edits, protect, protectBbox);
  return editPixelsJs(image, edits, protect, protectBbox).pixels;
}

function editPixelsJs(
  image: RgbImage,
  edits: readonly ConceptEdit[],
  protect: Uint8Array | null,
  protectBbox: Bbox | null,
): { pixels: Uint8Array; owner: Uint8Array } {
  const { width, height } = image;
  const out = image.data.slice();
  const owner = ownerMap(width, height, edits, protect, protectBbox);
  applyKernelJs(image, owner, featherAlpha(owner, width, height), compileEdits(image, owner, edits), out);
  return { pixels: out, owner };
}

/** The photo, owner map and alpha go straight into the kernel's memory: no copies in or out. */
function runWasm(
  photo: WasmPhoto,
  image: RgbImage,
  edits: readonly ConceptEdit[],
  protect: Uint8Array | null,
  protectBbox: Bbox | null,
): Uint8Array {
  const { width, height } = image;
  photo.pixels.set(image.data);
  const owner = ownerMap(width, height, edits, protect, protectBbox, photo.owner);
  featherAlpha(owner, width, height, photo.alpha);
  photo.apply(compileEdits(image, owner, edits));
  return photo.pixels;
}

/** Edited pixels that live in a reused kernel memory: read them, then `release` it for the next photo. */
export interface EditedPixels {
  pixels: Uint8Array;
  /** The owner map the kernel used (owners.ts), valid as long as the pixels; null when nothing was edited. */
  owner: Uint8Array | null;
  release(): void;
}

/** The kernel memory kept for the next photo of the same size on this thread, and when it is let go. */
let spare: { photo: WasmPhoto; width: number; height: number } | null = null;
let spareTimer: NodeJS.Timeout | null = null;
/** An idle thread gives its spare kernel memory (5 bytes per pixel) back after this long. */
const SPARE_IDLE_MS = 5_000;

/**
 * editPixels, in a kernel memory reused from the previous photo of the same size on this thread.
 * A fresh memory per photo pays a page fault on every page it touches (5 bytes per pixel: the
 * ~170 ms of a 12 MP apply that no stage accounted for); a reused one only has its owner and alpha
 * zeroed. The same bytes as editPixels (test/engine/apply/kernel.test.ts).
 */
export function editPixelsReusing(
  image: RgbImage,
  edits: readonly ConceptEdit[],
  protect: Uint8Array | null,
  protectBbox: Bbox | null,
): EditedPixels {
  const { width, height } = image;
  if (!wasmKernel) return { ...editPixelsJs(image, edits, protect, protectBbox), release() {} };
  let photo: WasmPhoto;
  if (spare && spare.width === width && spare.height === height) {
    photo = spare.photo;
    spare = null;
    photo.owner.fill(0);
    photo.alpha.fill(0);
  } else photo = wasmKernel.photo(width, height);
  const pixels = runWasm(photo, image, edits, protect, protectBbox);
  let released = false;
  return {
    pixels,
    owner: photo.owner,
    release() {
      if (released) return;
      released = true;
      spare = { photo, width, height };
      if (spareTimer) clearTimeout(spareTimer);
      spareTimer = setTimeout(() => (spare = null), SPARE_IDLE_MS);
      spareTimer.unref();
    },
  };
}
