// Decoder outputs → instances at the photo's resolution: score threshold, bilinear
// upsampling of the low-resolution mask logits (half-pixel centres, as cv2.resize and
// torch's interpolate with align_corners=False), mask threshold, empty masks dropped.
import type { Bbox } from "@s3/contract";
import type { Instance } from "../types";
import type { InputGeometry } from "./preprocess";
import { cropMask } from "../masks";

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
  mask: Uint8Array;
  area: number;
  bbox: Bbox;
}

/** Bilinear upsampling of one query's logits, thresholded to a 0/255 mask. */
export function upsampleMask(
  logits: Float32Array,
  offset: number,
  maskWidth: number,
  maskHeight: number,
  mapping: PhotoMapping,
  threshold: number,
): UpsampledMask {
  const { width, height, columns, rows } = mapping;
  const mask = new Uint8Array(width * height);
  // A bilinear sample exceeds the threshold only if one of its 4 source cells does: skip
  // rows whose two source rows are all below it, and columns outside the cells above it.
  const rowMax = new Float32Array(maskHeight);
  let minCell = maskWidth;
  let maxCell = -1;
  for (let r = 0; r < maskHeight; r++) {
    let max = -Infinity;
    for (let c = 0; c < maskWidth; c++) {
      const v = logits[offset + r * maskWidth + c] ?? -Infinity;
      if (v > max) max = v;
      if (v > threshold) {
        if (c < minCell) minCell = c;
        if (c > maxCell) maxCell = c;
      }
    }
    rowMax[r] = max;
  }
  let xStart = 0;
  while (xStart < width && (columns.hi[xStart] ?? 0) < minCell) xStart++;
  let xEnd = width;
  while (xEnd > xStart && (columns.lo[xEnd - 1] ?? 0) > maxCell) xEnd--;
  const line = new Float32Array(maskWidth);
  let area = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const r0 = rows.lo[y] ?? 0;
    const r1 = rows.hi[y] ?? 0;
    if ((rowMax[r0] ?? -Infinity) <= threshold && (rowMax[r1] ?? -Infinity) <= threshold) continue;
    const fy = rows.frac[y] ?? 0;
    const a = offset + r0 * maskWidth;
    const b = offset + r1 * maskWidth;
    for (let c = 0; c < maskWidth; c++) line[c] = (logits[a + c] ?? 0) * (1 - fy) + (logits[b + c] ?? 0) * fy;
    const rowStart = y * width;
    for (let x = xStart; x < xEnd; x++) {
      const fx = columns.frac[x] ?? 0;
      const v = (line[columns.lo[x] ?? 0] ?? 0) * (1 - fx) + (line[columns.hi[x] ?? 0] ?? 0) * fx;
      if (v > threshold) {
        mask[rowStart + x] = 255;
        area += 1;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        maxY = y;
      }
    }
  }
  const bbox: Bbox = area > 0 ? [minX, minY, maxX - minX + 1, maxY - minY + 1] : [0, 0, 0, 0];
  return { mask, area, bbox };
}

/** Kept instances of one concept, best score first, ids 0.. in that order. */
export function decodeInstances(
  concept: string,
  result: DecoderResult,
  mapping: PhotoMapping,
  thresholds: Thresholds,
): Instance[] {
  const { masks, maskWidth, maskHeight, logits, presenceLogit } = result;
  const presence = presenceLogit === null ? 1 : sigmoid(presenceLogit);
  const plane = maskWidth * maskHeight;
  const candidates: { query: number; score: number }[] = [];
  for (let q = 0; q < logits.length; q++) {
    const score = sigmoid(logits[q] ?? -Infinity) * presence;
    if (score > thresholds.score) candidates.push({ query: q, score });
  }
  candidates.sort((a, b) => b.score - a.score);
  const instances: Instance[] = [];
  for (const { query, score } of candidates) {
    const { mask, area, bbox } = upsampleMask(masks, query * plane, maskWidth, maskHeight, mapping, thresholds.mask);
    if (area === 0) continue;
    // The full-size mask is dropped at once: an instance keeps only its box (masks.ts).
    instances.push({ concept, id: instances.length, mask: cropMask(mask, mapping.width, bbox), bbox, area, score });
  }
  return instances;
}
