// The cpu stand-in's answer to hints (docs/gpu-worker.md, "Hints"): regions grown from what a person
// drew, by flood fill in colour space. Each box is one instance, grown from its include points inside
// it (its centre when it has none) and never past the box; an include point outside every box grows
// its own region over the photo; exclude points grow regions that are cut out of every instance.
// A concept with hints takes these instances in place of the colour clustering's.
import type { RgbImage } from "@s3/contract";
import { rgbToOklab } from "../color";
import { cropMask } from "./masks";
import { weightedDistance } from "./distance";
import type { ConceptHint, Instance } from "./types";

/** A pixel joins a region within this distance (OKLab ×100, chroma weighted) of its seed's colour. */
export const GROW_DISTANCE = 10;

/** [x0, y0, x1, y1) in whole pixels, clipped to the photo. */
type Window = readonly [number, number, number, number];

/** OKLab of a 6-bit-per-channel bin, computed once per bin on first use. */
const labCache = new Float32Array(64 ** 3 * 3).fill(Number.NaN);

function labAt(data: Uint8Array, pixel: number): [number, number, number] {
  const p = pixel * 3;
  const bin = ((data[p]! >> 2) << 12) | ((data[p + 1]! >> 2) << 6) | (data[p + 2]! >> 2);
  if (Number.isNaN(labCache[bin * 3]!)) labCache.set(rgbToOklab(data[p]!, data[p + 1]!, data[p + 2]!), bin * 3);
  return [labCache[bin * 3]!, labCache[bin * 3 + 1]!, labCache[bin * 3 + 2]!];
}

/** 4-connected flood fill from `seed` inside `window`, over pixels near the seed's colour; sets `into`. */
function grow(image: RgbImage, seed: number, window: Window, into: Uint8Array): void {
  const { width, data } = image;
  const [x0, y0, x1, y1] = window;
  const reference = labAt(data, seed);
  const stack = [seed];
  into[seed] = 255;
  while (stack.length > 0) {
    const pixel = stack.pop()!;
    const x = pixel % width,
      y = (pixel - x) / width;
    const visit = (next: number) => {
      if (into[next] === 0 && weightedDistance(labAt(data, next), reference) <= GROW_DISTANCE) {
        into[next] = 255;
        stack.push(next);
      }
    };
    if (x > x0) visit(pixel - 1);
    if (x + 1 < x1) visit(pixel + 1);
    if (y > y0) visit(pixel - width);
    if (y + 1 < y1) visit(pixel + width);
  }
}

function clip(image: RgbImage, [x0, y0, x1, y1]: readonly number[]): Window | null {
  const window: Window = [
    Math.max(0, Math.floor(x0!)),
    Math.max(0, Math.floor(y0!)),
    Math.min(image.width, Math.ceil(x1!)),
    Math.min(image.height, Math.ceil(y1!)),
  ];
  return window[0] < window[2] && window[1] < window[3] ? window : null;
}

const inside = (window: Window, x: number, y: number) =>
  x >= window[0] && x < window[2] && y >= window[1] && y < window[3];

/** The region's instance, cropped to its box; null when nothing is left of it. */
function toInstance(concept: string, full: Uint8Array, width: number, id: number): Instance | null {
  let minX = Infinity,
    minY = Infinity,
    maxX = -1,
    maxY = -1,
    area = 0;
  for (let p = 0; p < full.length; p++) {
    if (full[p] === 0) continue;
    const x = p % width,
      y = (p - x) / width;
    area++;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (area === 0) return null;
  const bbox: Instance["bbox"] = [minX, minY, maxX - minX + 1, maxY - minY + 1];
  return { concept, id, mask: cropMask(full, width, bbox), bbox, area, score: 1 };
}

export function growFromHints(image: RgbImage, concept: string, hint: ConceptHint): Instance[] {
  const { width, height } = image;
  const whole: Window = [0, 0, width, height];
  const boxes = (hint.boxes ?? []).map((box) => clip(image, box)).filter((box): box is Window => box !== null);
  const points = (hint.points ?? [])
    .map(([x = -1, y = -1, label]) => ({ x: Math.floor(x), y: Math.floor(y), label }))
    .filter(({ x, y }) => x >= 0 && y >= 0 && x < width && y < height);
  const at = ({ x, y }: { x: number; y: number }) => y * width + x;
  const regions: Uint8Array[] = [];
  for (const box of boxes) {
    const region = new Uint8Array(width * height);
    const seeds = points.filter((point) => point.label === 1 && inside(box, point.x, point.y));
    const centre = { x: (box[0] + box[2] - 1) >> 1, y: (box[1] + box[3] - 1) >> 1 };
    for (const seed of seeds.length > 0 ? seeds : [centre])
      if (region[at(seed)] === 0) grow(image, at(seed), box, region);
    regions.push(region);
  }
  for (const point of points) {
    if (point.label !== 1 || boxes.some((box) => inside(box, point.x, point.y))) continue;
    // A second point inside a region already grown adds nothing.
    if (regions.some((region) => region[at(point)] !== 0)) continue;
    const region = new Uint8Array(width * height);
    grow(image, at(point), whole, region);
    regions.push(region);
  }
  const excluded = new Uint8Array(width * height);
  for (const point of points)
    if (point.label === 0 && excluded[at(point)] === 0)
      grow(image, at(point), boxes.find((box) => inside(box, point.x, point.y)) ?? whole, excluded);
  const instances: Instance[] = [];
  for (const region of regions) {
    for (let p = 0; p < region.length; p++) if (excluded[p] !== 0) region[p] = 0;
    const instance = toInstance(concept, region, width, instances.length);
    if (instance) instances.push(instance);
  }
  return instances;
}
