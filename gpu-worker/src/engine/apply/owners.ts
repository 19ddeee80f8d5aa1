// The owner map: which concept edits each pixel, after protect masks take their pixels back.
import type { Bbox } from "@s3/contract";
import type { ConceptEdit } from "./types";

/**
 * Which edit (1-based, 0 = none) owns each pixel: its mask minus protect; later edits win.
 * Written into `owner` when given (it must be all zeros), else into a new array.
 */
export function ownerMap(
  width: number,
  height: number,
  edits: readonly ConceptEdit[],
  protect: Uint8Array | null,
  protectBbox: Bbox | null = null,
  owner: Uint8Array = new Uint8Array(width * height),
): Uint8Array {
  if (edits.length > 254) throw new Error("at most 254 concepts per rule");
  edits.forEach((edit, index) => markWhere(edit.mask, owner, index + 1, width, edit.bbox ?? null));
  if (protect) markWhere(protect, owner, 0, width, protectBbox);
  return owner;
}

/** owner[p] = value wherever mask[p] is non-zero; skips empty stretches four bytes at a time. */
function markWhere(mask: Uint8Array, owner: Uint8Array, value: number, width: number, bbox: Bbox | null): void {
  if (bbox) {
    const [x, y, w, h] = bbox;
    for (let row = y; row < y + h; row++) {
      const end = row * width + x + w;
      for (let p = row * width + x; p < end; p++) if (mask[p] !== 0) owner[p] = value;
    }
    return;
  }
  const n = owner.length;
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, n >> 2) : null;
  let p = 0;
  if (words) {
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue;
      p = w << 2;
      if (mask[p] !== 0) owner[p] = value;
      if (mask[p + 1] !== 0) owner[p + 1] = value;
      if (mask[p + 2] !== 0) owner[p + 2] = value;
      if (mask[p + 3] !== 0) owner[p + 3] = value;
    }
    p = words.length << 2;
  }
  for (; p < n; p++) if (mask[p] !== 0) owner[p] = value;
}
