// Per edited concept, from the input, the output and the masks: how much of the photo the concept
// covers, how much of it the edit changed, and the median colour it came out (docs/reports.md).
import type { Bbox } from "@s3/contract";
import { ownerMap, type ConceptEdit } from "../apply";

export interface EditFigures {
  /** Pixels of the concept's union mask. */
  area: number;
  /** Pixels the edit of this concept changed: those it owns (outside protect, not taken by a later concept). */
  changed: number;
  /** recolor only: per-channel median of the output over the pixels it owns (over its mask when it owns none). */
  median: [number, number, number] | null;
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

function boxAround(edits: readonly ConceptEdit[], width: number, height: number): Bbox {
  if (edits.some((edit) => !edit.bbox)) return [0, 0, width, height];
  const boxes = edits.map((edit) => edit.bbox!);
  const x0 = Math.min(...boxes.map((b) => b[0])),
    y0 = Math.min(...boxes.map((b) => b[1]));
  const x1 = Math.max(...boxes.map((b) => b[0] + b[2])),
    y1 = Math.max(...boxes.map((b) => b[1] + b[3]));
  return [x0, y0, x1 - x0, y1 - y0];
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

export function editFigures(
  input: Uint8Array,
  output: Uint8Array,
  width: number,
  height: number,
  edits: readonly ConceptEdit[],
  protect: { mask: Uint8Array; bbox: Bbox | null } | null,
): EditFigures[] {
  if (edits.length === 0) return [];
  const owner = ownerMap(width, height, edits, protect?.mask ?? null, protect?.bbox ?? null);
  const changed = new Uint32Array(edits.length + 1);
  const recolor = Uint8Array.from([0, ...edits.map((edit) => (edit.action === "recolor" ? 1 : 0))]);
  // Per edit, 256 counts per channel of the output colour over its pixels (recolors only).
  const histogram = new Uint32Array((edits.length + 1) * 768);
  const [x0, y0, w, h] = boxAround(edits, width, height);
  for (let y = y0; y < y0 + h; y++) {
    for (let p = y * width + x0, end = p + w; p < end; p++) {
      const o = owner[p]!;
      if (o === 0) continue;
      const q = p * 3;
      const r = output[q]!,
        g = output[q + 1]!,
        b = output[q + 2]!;
      if (r !== input[q] || g !== input[q + 1] || b !== input[q + 2]) changed[o]!++;
      if (recolor[o] === 1) {
        const at = o * 768;
        histogram[at + r]!++;
        histogram[at + 256 + g]!++;
        histogram[at + 512 + b]!++;
      }
    }
  }
  return edits.map((edit, index) => {
    const o = index + 1;
    let median = recolor[o] === 1 ? medianOf(histogram, o * 768) : null;
    if (recolor[o] === 1 && median === null)
      median = medianOf(maskHistogram(output, edit.mask, width, height, edit.bbox), 0);
    return { area: maskArea(edit.mask, width, height, edit.bbox), changed: changed[o]!, median };
  });
}
