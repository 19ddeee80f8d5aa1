// Whether two photos of one size are byte-identical outside a box (the free plan's watermark).
import type { Bbox } from "@s3/contract";

function bytes(data: Uint8Array, from: number, to: number): Buffer {
  return Buffer.from(data.buffer, data.byteOffset + from, to - from);
}

/** `a` and `b` (RGB rows `width` wide) agree on every pixel outside `box`: one memcmp per run between its rows. */
export function equalOutside(a: Uint8Array, b: Uint8Array, width: number, box: Bbox | null): boolean {
  if (a.length !== b.length) return false;
  const same = (from: number, to: number) => from >= to || bytes(a, from, to).equals(bytes(b, from, to));
  if (!box || box[2] <= 0 || box[3] <= 0) return same(0, a.length);
  const [x, y, w, h] = box;
  const row = width * 3;
  // Each run goes from the end of the box on one row to its start on the next.
  let from = 0;
  for (let r = y; r < y + h; r++) {
    if (!same(from, r * row + x * 3)) return false;
    from = r * row + (x + w) * 3;
  }
  return same(from, a.length);
}

/** The free plan's watermark box as a Bbox, or null for a job without one. */
export function watermarkBox(region: { x: number; y: number; width: number; height: number } | null): Bbox | null {
  return region ? [region.x, region.y, region.width, region.height] : null;
}
