// Decoder outputs → instances at the photo's resolution: score threshold, bilinear
// upsampling of the low-resolution mask logits (half-pixel centres, as cv2.resize and
// torch's interpolate with align_corners=False), mask threshold, empty masks dropped.
import type { Bbox } from "@s3/contract";
import type { Instance } from "../types";
import type { InputGeometry } from "./preprocess";
import { cropMask, largest, MAX_INSTANCES_PER_CONCEPT } from "../masks";

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export interface DecoderResult {
  /** [queries, maskHeight, maskWidth] logits over the whole model input square. */
  masks: Float32Array;
  maskWidth: number;
  maskHeight: number;
  /** [queries] class logits. */
  logits: Float32Array;
  /** Image-level "the concept is present" logit; absent from some exports. */
  presenceLogit: number | null;
}

export interface Thresholds {
  score: number;
  mask: number;
}

interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

/** Photo pixel i → low-res sample position; `cellsPerPixel` low-res cells per photo pixel. */
function axis(pixels: number, cells: number, cellsPerPixel: number): Axis {
  const lo = new Int32Array(pixels);
  const hi = new Int32Array(pixels);
  const frac = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const u = Math.min(cells - 1, Math.max(0, (i + 0.5) * cellsPerPixel - 0.5));
    const l = Math.floor(u);
    lo[i] = l;
    hi[i] = Math.min(l + 1, cells - 1);
    frac[i] = u - l;
  }
  return { lo, hi, frac };
}

export interface PhotoMapping {
  width: number;
  height: number;
  columns: Axis;
  rows: Axis;
}

/** The low-res mask covers the model input square; the photo covers its content area. */
export function photoMapping(
  width: number,
  height: number,
  geometry: InputGeometry,
  maskWidth: number,
  maskHeight: number,
): PhotoMapping {
  const cellsPerPixelX = (geometry.contentWidth / width) * (maskWidth / geometry.size);
  const cellsPerPixelY = (geometry.contentHeight / height) * (maskHeight / geometry.size);
  return {
    width,
    height,
    columns: axis(width, maskWidth, cellsPerPixelX),
    rows: axis(height, maskHeight, cellsPerPixelY),
  };
}

export interface UpsampledMask {
  /** Cropped to `bbox` (masks.ts), 0/255. */
  mask: Uint8Array;
  area: number;
  bbox: Bbox;
}

/** The low-res cells of one candidate over the threshold: how many, and the box [c0, r0, c1, r1] they span. */
export interface CellBox {
  count: number;
  c0: number;
  r0: number;
  c1: number;
  r1: number;
}

/** Cells of `plane` (at `offset`) over `threshold`: their count and bounding box; count 0 when none. */
export function cellsOver(
  plane: Float32Array,
  offset: number,
  maskWidth: number,
  maskHeight: number,
  threshold: number,
): CellBox {
  const box: CellBox = { count: 0, c0: maskWidth, r0: maskHeight, c1: -1, r1: -1 };
  for (let r = 0; r < maskHeight; r++) {
    const row = offset + r * maskWidth;
    for (let c = 0; c < maskWidth; c++) {
      if (plane[row + c]! > threshold) {
        box.count++;
        if (c < box.c0) box.c0 = c;
        if (c > box.c1) box.c1 = c;
        if (r < box.r0) box.r0 = r;
        box.r1 = r;
      }
    }
  }
  return box;
}

/** First and one-past-last photo pixel whose bilinear sample can reach a cell in [lo, hi]. */
function pixelRange(axisOf: Axis, pixels: number, lo: number, hi: number): [number, number] {
  let start = 0;
  while (start < pixels && axisOf.hi[start]! < lo) start++;
  let end = pixels;
  while (end > start && axisOf.lo[end - 1]! > hi) end--;
  return [start, end];
}

/**
 * Bilinear upsampling of one candidate's low-res values to the photo, only over the photo
 * pixels its cell box can reach (a value over the threshold needs one of its 4 source cells
 * over it), thresholded to a 0/255 mask cropped to its box. With `labels`, cells of another
 * label count as under the threshold, so a region never takes in a neighbour's pixels.
 */
export function upsampleWindow(
  plane: Float32Array,
  offset: number,
  maskWidth: number,
  maskHeight: number,
  cells: CellBox,
  mapping: PhotoMapping,
  threshold: number,
  labels?: { of: Int32Array; label: number },
): UpsampledMask {
  const { width, height, columns, rows } = mapping;
  const empty: UpsampledMask = { mask: new Uint8Array(0), area: 0, bbox: [0, 0, 0, 0] };
  if (cells.count === 0) return empty;
  const [xStart, xEnd] = pixelRange(columns, width, cells.c0, cells.c1);
  const [yStart, yEnd] = pixelRange(rows, height, cells.r0, cells.r1);
  if (xStart >= xEnd || yStart >= yEnd) return empty;
  // The window's source cells, one cell of margin (a bilinear neighbour), other labels clamped.
  const cx0 = Math.max(0, cells.c0 - 1),
    cx1 = Math.min(maskWidth - 1, cells.c1 + 1);
  const cy0 = Math.max(0, cells.r0 - 1),
    cy1 = Math.min(maskHeight - 1, cells.r1 + 1);
  const localWidth = cx1 - cx0 + 1;
  const local = new Float32Array(localWidth * (cy1 - cy0 + 1));
  for (let r = cy0; r <= cy1; r++)
    for (let c = cx0; c <= cx1; c++) {
      const at = r * maskWidth + c;
      const v = plane[offset + at]!;
      local[(r - cy0) * localWidth + (c - cx0)] = labels && labels.of[at] !== labels.label ? Math.min(v, threshold) : v;
    }
  const windowWidth = xEnd - xStart;
  const window = new Uint8Array(windowWidth * (yEnd - yStart));
  const line = new Float32Array(localWidth);
  let area = 0,
    minX = xEnd,
    minY = yEnd,
    maxX = -1,
    maxY = -1;
  for (let y = yStart; y < yEnd; y++) {
    const a = (rows.lo[y]! - cy0) * localWidth;
    const b = (rows.hi[y]! - cy0) * localWidth;
    const fy = rows.frac[y]!;
    for (let c = 0; c < localWidth; c++) line[c] = local[a + c]! * (1 - fy) + local[b + c]! * fy;
    const rowStart = (y - yStart) * windowWidth - xStart;
    for (let x = xStart; x < xEnd; x++) {
      const fx = columns.frac[x]!;
      const v = line[columns.lo[x]! - cx0]! * (1 - fx) + line[columns.hi[x]! - cx0]! * fx;
      if (v > threshold) {
        window[rowStart + x] = 255;
        area++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        maxY = y;
      }
    }
  }
  if (area === 0) return empty;
  const bbox: Bbox = [minX, minY, maxX - minX + 1, maxY - minY + 1];
  const inWindow: Bbox = [minX - xStart, minY - yStart, bbox[2], bbox[3]];
  return { mask: cropMask(window, windowWidth, inWindow), area, bbox };
}

/** Bilinear upsampling of one query's logits over the whole photo, thresholded (a cropped 0/255 mask). */
export function upsampleMask(
  logits: Float32Array,
  offset: number,
  maskWidth: number,
  maskHeight: number,
  mapping: PhotoMapping,
  threshold: number,
): UpsampledMask {
  const cells = cellsOver(logits, offset, maskWidth, maskHeight, threshold);
  return upsampleWindow(logits, offset, maskWidth, maskHeight, cells, mapping, threshold);
}

interface Candidate {
  score: number;
  cells: CellBox;
  /** Offset of its plane in the source, and the labels that pick its region (mask-map). */
  offset: number;
  labels?: { of: Int32Array; label: number };
}

/**
 * The candidates kept (at most MAX_INSTANCES_PER_CONCEPT, the largest by low-res area, as
 * limitInstances keeps the largest), upsampled, best score first with ids 0.. in that order.
 * The cap comes before any upsampling: a photo-size mask is only ever made for a kept candidate.
 */
function upsampleKept(
  concept: string,
  candidates: Candidate[],
  plane: Float32Array,
  maskWidth: number,
  maskHeight: number,
  mapping: PhotoMapping,
  threshold: number,
): Instance[] {
  const kept = largest(
    candidates.map((candidate) => candidate.cells.count),
    MAX_INSTANCES_PER_CONCEPT,
  ).map((index) => candidates[index]!);
  kept.sort((a, b) => b.score - a.score);
  const instances: Instance[] = [];
  for (const { score, cells, offset, labels } of kept) {
    const { mask, area, bbox } = upsampleWindow(
      plane,
      offset,
      maskWidth,
      maskHeight,
      cells,
      mapping,
      threshold,
      labels,
    );
    if (area > 0) instances.push({ concept, id: instances.length, mask, bbox, area, score });
  }
  return instances;
}

/** Kept instances of one concept from SAM 3's decoder outputs, best score first, ids 0.. in that order. */
export function decodeInstances(
  concept: string,
  result: DecoderResult,
  mapping: PhotoMapping,
  thresholds: Thresholds,
): Instance[] {
  const { masks, maskWidth, maskHeight, logits, presenceLogit } = result;
  const presence = presenceLogit === null ? 1 : sigmoid(presenceLogit);
  const planes = Array.from(logits, (logit, index) => ({ index, score: sigmoid(logit) * presence }));
  return decodeScored(concept, masks, maskWidth, maskHeight, planes, mapping, thresholds);
}

/**
 * Instances from mask planes whose scores are known: every query of one prompt (decodeInstances),
 * or the rows the export's kept_* outputs selected on the device. `index` is the plane's place in `masks`.
 */
export function decodeScored(
  concept: string,
  masks: Float32Array,
  maskWidth: number,
  maskHeight: number,
  planes: readonly { index: number; score: number }[],
  mapping: PhotoMapping,
  thresholds: Thresholds,
): Instance[] {
  const plane = maskWidth * maskHeight;
  const candidates: Candidate[] = [];
  for (const { index, score } of planes) {
    if (!(score > thresholds.score)) continue;
    const cells = cellsOver(masks, index * plane, maskWidth, maskHeight, thresholds.mask);
    if (cells.count > 0) candidates.push({ score, cells, offset: index * plane });
  }
  return upsampleKept(concept, candidates, masks, maskWidth, maskHeight, mapping, thresholds.mask);
}

/**
 * A probability map's instances (architecture "mask-map"): each 8-connected region of cells
 * over the mask threshold, scored by its mean probability, kept when over the score threshold.
 */
export function mapInstances(
  concept: string,
  map: Float32Array,
  maskWidth: number,
  maskHeight: number,
  mapping: PhotoMapping,
  thresholds: Thresholds,
): Instance[] {
  const labels = new Int32Array(maskWidth * maskHeight).fill(-1);
  const candidates: Candidate[] = [];
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (labels[start] !== -1 || !(map[start]! > thresholds.mask)) continue;
    const label = candidates.length;
    const cells: CellBox = { count: 0, c0: maskWidth, r0: maskHeight, c1: -1, r1: -1 };
    let sum = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length > 0) {
      const at = stack.pop()!;
      const r = Math.floor(at / maskWidth),
        c = at - r * maskWidth;
      cells.count++;
      sum += map[at]!;
      cells.c0 = Math.min(cells.c0, c);
      cells.c1 = Math.max(cells.c1, c);
      cells.r0 = Math.min(cells.r0, r);
      cells.r1 = Math.max(cells.r1, r);
      for (let dr = -1; dr <= 1; dr++)
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr,
            cc = c + dc;
          if (rr < 0 || cc < 0 || rr >= maskHeight || cc >= maskWidth) continue;
          const next = rr * maskWidth + cc;
          if (labels[next] === -1 && map[next]! > thresholds.mask) {
            labels[next] = label;
            stack.push(next);
          }
        }
    }
    candidates.push({ score: sum / cells.count, cells, offset: 0, labels: { of: labels, label } });
  }
  const scored = candidates.filter((candidate) => candidate.score > thresholds.score);
  return upsampleKept(concept, scored, map, maskWidth, maskHeight, mapping, thresholds.mask);
}
