// Instance masks are cropped to their box (docs/gpu-worker.md): a 50 MP photo's instance costs its
// box, not 50 MB. The helpers here crop, expand and cap them; every segmenter's output passes limitInstances.
import type { Bbox } from "@s3/contract";
import type { ConceptMasks, Instance } from "./types";

/** The most instances kept per concept: the largest by area (a tiled floor can yield hundreds). */
export const MAX_INSTANCES_PER_CONCEPT = 64;
/** Per item, the cropped masks together hold at most this many bytes per photo pixel. */
export const MASK_BYTES_PER_PIXEL = 4;

/** The `bbox` window of a full-size `width`-wide mask, as a new cropped mask. */
export function cropMask(full: Uint8Array, width: number, bbox: Bbox): Uint8Array {
  const [x, y, w, h] = bbox;
  const cropped = new Uint8Array(w * h);
  for (let row = 0; row < h; row++) {
    const start = (y + row) * width + x;
    cropped.set(full.subarray(start, start + w), row * w);
  }
  return cropped;
}

/** ORs an instance's cropped mask into a full-size `width`-wide mask. */
export function paintInstance(target: Uint8Array, width: number, instance: Pick<Instance, "mask" | "bbox">): void {
  const [x, y, w, h] = instance.bbox;
  const mask = instance.mask;
  for (let row = 0; row < h; row++) {
    const from = row * w,
      to = (y + row) * width + x;
    for (let i = 0; i < w; i++) target[to + i]! |= mask[from + i]!;
  }
}

/**
 * Writes an instance's cropped mask into its box of a full-size mask
 * (faster than paintInstance where the box is empty).
 */
export function copyInstance(target: Uint8Array, width: number, instance: Pick<Instance, "mask" | "bbox">): void {
  const [x, y, w, h] = instance.bbox;
  for (let row = 0; row < h; row++) target.set(instance.mask.subarray(row * w, (row + 1) * w), (y + row) * width + x);
}

/** The instance's mask at the photo's full size (tests, and consumers that index whole-photo pixels). */
export function fullMask(instance: Pick<Instance, "mask" | "bbox">, width: number, height: number): Uint8Array {
  const full = new Uint8Array(width * height);
  paintInstance(full, width, instance);
  return full;
}

/** Whether the photo pixel (x, y) is inside the instance. */
export function covers(instance: Pick<Instance, "mask" | "bbox">, x: number, y: number): boolean {
  const [x0, y0, w, h] = instance.bbox;
  return x >= x0 && y >= y0 && x < x0 + w && y < y0 + h && instance.mask[(y - y0) * w + (x - x0)] !== 0;
}

/** Indexes of the `max` largest (by area) of `areas`, in their original order. */
export function largest(areas: readonly number[], max: number): number[] {
  const order = areas.map((_, index) => index);
  if (order.length <= max) return order;
  return order
    .sort((a, b) => areas[b]! - areas[a]! || a - b)
    .slice(0, max)
    .sort((a, b) => a - b);
}

/**
 * At most MAX_INSTANCES_PER_CONCEPT instances per concept (the largest), then the smallest
 * dropped until the masks fit MASK_BYTES_PER_PIXEL × pixels. Kept instances are renumbered 0…
 * in their order, so ids stay dense.
 */
export function limitInstances(instances: ConceptMasks, pixels: number): ConceptMasks {
  const kept = new Map<string, Instance[]>();
  for (const [concept, list] of instances)
    kept.set(
      concept,
      largest(
        list.map((instance) => instance.area),
        MAX_INSTANCES_PER_CONCEPT,
      ).map((index) => list[index]!),
    );
  const all = [...kept.values()].flat();
  let bytes = all.reduce((sum, instance) => sum + instance.mask.byteLength, 0);
  const budget = MASK_BYTES_PER_PIXEL * pixels;
  if (bytes > budget) {
    const dropped = new Set<Instance>();
    for (const instance of [...all].sort((a, b) => a.area - b.area)) {
      if (bytes <= budget) break;
      dropped.add(instance);
      bytes -= instance.mask.byteLength;
    }
    for (const [concept, list] of kept)
      kept.set(
        concept,
        list.filter((instance) => !dropped.has(instance)),
      );
  }
  const result: ConceptMasks = new Map();
  for (const [concept, list] of kept)
    result.set(
      concept,
      list.map((instance, id) => (instance.id === id ? instance : { ...instance, id })),
    );
  return result;
}
