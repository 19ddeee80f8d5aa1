// Per edited concept, from the input, the output and the masks: how much of the photo the concept
// covers, how much of it the edit changed, and the median colour it came out (docs/reports.md).
import type { Bbox } from "@s3/contract";
import { ownerMap, type ConceptEdit } from "../apply";
import type { Instance } from "../segmenter/types";

export interface EditFigures {
  /** Pixels the edit of this concept changed: those it owns (outside protect, not taken by a later concept). */
  changed: number;
  /** recolor only: per-channel median of the output over the pixels it owns, one in MEDIAN_SAMPLE (over its
   *  mask when none is sampled). */
  median: [number, number, number] | null;
}

/**
 * Pixels of the union of `instances` (its mask and box given): the sum of their areas when no two
 * boxes meet, as the connected regions a segmenter returns mostly are; else the mask's count.
 */
export function unionArea(
  instances: readonly Pick<Instance, "bbox" | "area">[],
  union: { mask: Uint8Array; bbox?: Bbox | null },
  width: number,
  height: number,
): number {
  const meet = (a: Bbox, b: Bbox) =>
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
  const apart = instances.every((a, i) => instances.every((b, j) => j <= i || !meet(a.bbox, b.bbox)));
  return apart
    ? instances.reduce((sum, instance) => sum + instance.area, 0)
    : maskArea(union.mask, width, height, union.bbox);
}

export function maskArea(mask: Uint8Array, width: number, height: number, bbox: Bbox | null | undefined): number {
  const [x0, y0, w, h] = bbox ?? [0, 0, width, height];
  let area = 0;
  for (let y = y0; y < y0 + h; y++) for (let p = y * width + x0, end = p + w; p < end; p++) if (mask[p] !== 0) area++;
  return area;
}

/** Median of each channel from 3 × 256 counts starting at `offset`, or null when they are empty. */
function medianOf(histogram: Uint32Array, offset: number): [number, number, number] | null {
  let count = 0;
  for (let v = 0; v < 256; v++) count += histogram[offset + v]!;
  if (count === 0) return null;
  const channel = (c: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += histogram[offset + c * 256 + v]!) * 2 >= count) return v;
    return 255;
  };
  return [channel(0), channel(1), channel(2)];
}

/** Output colour counts over `mask` (the fallback for a recolor that owns no pixel). */
function maskHistogram(output: Uint8Array, mask: Uint8Array, width: number, height: number, bbox?: Bbox | null) {
  const histogram = new Uint32Array(768);
  const [x0, y0, w, h] = bbox ?? [0, 0, width, height];
  for (let y = y0; y < y0 + h; y++)
    for (let p = y * width + x0, end = p + w; p < end; p++)
      if (mask[p] !== 0) for (let c = 0; c < 3; c++) histogram[c * 256 + output[p * 3 + c]!]!++;
  return histogram;
}

const words = (bytes: Uint8Array) =>
  bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null;

/** Median sampling: a recolor's colour counts take one pixel in this many (the median barely moves). */
export const MEDIAN_SAMPLE = 4;

export function editFigures(
  input: Uint8Array,
  output: Uint8Array,
  width: number,
  height: number,
  edits: readonly ConceptEdit[],
  protect: { mask: Uint8Array; bbox: Bbox | null } | null,
  given: Uint8Array | null = null,
): EditFigures[] {
  if (edits.length === 0) return [];
  // The kernel's own owner map when the render step hands it over: the same map, not built twice.
  const owner = given ?? ownerMap(width, height, edits, protect?.mask ?? null, protect?.bbox ?? null);
  const changed = new Uint32Array(edits.length + 1);
  const recolor = Uint8Array.from([0, ...edits.map((edit) => (edit.action === "recolor" ? 1 : 0))]);
  // Per edit, 256 counts per channel of the output colour over its pixels (recolors only).
  const histogram = new Uint32Array((edits.length + 1) * 768);
  const count = (from: number, to: number) => {
    for (let p = from; p < to; p++) {
      const o = owner[p]!;
      if (o === 0) continue;
      const q = p * 3;
      if (output[q] !== input[q] || output[q + 1] !== input[q + 1] || output[q + 2] !== input[q + 2]) changed[o]!++;
      if (recolor[o] === 1 && p % MEDIAN_SAMPLE === 0) {
        const at = o * 768;
        histogram[at + output[q]!]!++;
        histogram[at + 256 + output[q + 1]!]!++;
        histogram[at + 512 + output[q + 2]!]!++;
      }
    }
  };
  const n = width * height;
  const [ownerWords, inWords, outWords] = [words(owner), words(input), words(output)];
  if (!ownerWords || !inWords || !outWords) count(0, n);
  else {
    // Four pixels at a time: one owner word, three RGB words of each photo. A group with one owner
    // is counted from the XOR of its words; a mixed group pixel by pixel.
    const groups = n >> 2;
    for (let g = 0; g < groups; g++) {
      const ow = ownerWords[g]!;
      if (ow === 0) continue;
      const o = ow & 0xff;
      if (ow !== Math.imul(o, 0x01010101) >>> 0) {
        count(g << 2, (g << 2) + 4);
        continue;
      }
      const w = g * 3;
      const d0 = inWords[w]! ^ outWords[w]!,
        d1 = inWords[w + 1]! ^ outWords[w + 1]!,
        d2 = inWords[w + 2]! ^ outWords[w + 2]!;
      changed[o]! +=
        ((d0 & 0xffffff) !== 0 ? 1 : 0) +
        ((d0 >>> 24) + (d1 & 0xffff) !== 0 ? 1 : 0) +
        ((d1 >>> 16) + (d2 & 0xff) !== 0 ? 1 : 0) +
        (d2 >>> 8 !== 0 ? 1 : 0);
      if (recolor[o] === 1) {
        // The group's first pixel: one in MEDIAN_SAMPLE, as the pixel-by-pixel path samples.
        const first = outWords[w]!;
        const at = o * 768;
        histogram[at + (first & 0xff)]!++;
        histogram[at + 256 + ((first >>> 8) & 0xff)]!++;
        histogram[at + 512 + ((first >>> 16) & 0xff)]!++;
      }
    }
    count(groups << 2, n);
  }
  return edits.map((edit, index) => {
    const o = index + 1;
    let median = recolor[o] === 1 ? medianOf(histogram, o * 768) : null;
    if (recolor[o] === 1 && median === null)
      median = medianOf(maskHistogram(output, edit.mask, width, height, edit.bbox), 0);
    return { changed: changed[o]!, median };
  });
}
