// Measurements the tests make on plain pixel arrays.
import type { RgbImage } from "@s3/contract";
import { rgbToOklab } from "../../src/engine/color";

/** Pixels of `mask` at least `margin` 4-steps away from any pixel outside it (feather-free core). */
export function erode(mask: Uint8Array, width: number, height: number, margin: number): Uint8Array {
  let current = mask;
  for (let step = 0; step < margin; step++) {
    const next = new Uint8Array(current.length);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        if (!current[p]) continue;
        const inside = (q: number) => current[q] !== 0;
        if (
          (x > 0 && !inside(p - 1)) ||
          (x < width - 1 && !inside(p + 1)) ||
          (y > 0 && !inside(p - width)) ||
          (y < height - 1 && !inside(p + width))
        )
          continue;
        next[p] = 255;
      }
    current = next;
  }
  return current;
}

export function labsIn(data: Uint8Array, mask: Uint8Array): [number, number, number][] {
  const labs: [number, number, number][] = [];
  for (let p = 0; p < mask.length; p++)
    if (mask[p]) labs.push(rgbToOklab(data[p * 3]!, data[p * 3 + 1]!, data[p * 3 + 2]!));
  return labs;
}

export const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
export const std = (values: number[]) => {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
};
export function correlation(a: number[], b: number[]): number {
  const ma = mean(a),
    mb = mean(b);
  let num = 0,
    da = 0,
    db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** Indexes of pixels whose RGB differs between two images of the same size. */
export function changedPixels(a: Uint8Array, b: Uint8Array): number[] {
  const changed: number[] = [];
  for (let p = 0; p < a.length / 3; p++)
    if (a[p * 3] !== b[p * 3] || a[p * 3 + 1] !== b[p * 3 + 1] || a[p * 3 + 2] !== b[p * 3 + 2]) changed.push(p);
  return changed;
}

export function flatImage(
  width: number,
  height: number,
  rgb: (x: number, y: number) => [number, number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(rgb(x, y), (y * width + x) * 3);
  return { width, height, data };
}

export function rectMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) mask.fill(255, y * width + x0, y * width + x1);
  return mask;
}
