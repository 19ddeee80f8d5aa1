// The cpu segmenter: the local stand-in for SAM 3. Classical and deterministic:
//  1. colour clustering — every pixel joins the nearest concept reference colour of the
//     job's preset (weighted OKLab distance, through a 64³ lookup table), or no cluster
//     when the nearest is farther than MAX_DISTANCE;
//  2. connected components — each 4-connected run of one cluster is one instance;
//     specks under MIN_AREA_FRACTION of the photo are dropped, at most MAX_INSTANCES
//     (the largest) are kept per concept.
// With hints a concept's instances are grown from the boxes and points instead (cpu-hints.ts).
// It resolves the generated scenes of @s3/contract/scenes (painted in the same reference
// colours) exactly; on real photos it is only a rough placeholder for the ONNX path.
import { CONCEPT_REFERENCE_COLORS, hexToRgb, PRESETS, srgbToLinear, type RgbImage } from "@s3/contract";
import { linearToOklab, rgbToOklab } from "../color";
import { growFromHints } from "./cpu-hints";
import { weightedDistance } from "./distance";
import type { ConceptHint, ConceptMasks, Instance, JobSegmenter, Segmenter } from "./types";

/** Farther than this (OKLab ×100, chroma weighted) from every reference: no cluster. */
export const MAX_DISTANCE = 14;
export const MIN_AREA_FRACTION = 0.0002;
export const MAX_INSTANCES = 32;
const NO_CLUSTER = 255;

interface Codebook {
  names: string[];
  /** 64³ entries indexed by the top 6 bits of r, g, b: cluster index or NO_CLUSTER. */
  cluster: Uint8Array;
  /** Distance to that cluster's reference, for the instance score. */
  distance: Uint8Array;
}

const codebooks = new Map<string, Codebook>();

function codebookFor(colors: Readonly<Record<string, string>>): Codebook {
  const cacheKey = JSON.stringify(colors);
  const cached = codebooks.get(cacheKey);
  if (cached) return cached;
  const names = Object.keys(colors);
  const refs = names.map((name) => rgbToOklab(...hexToRgb(colors[name]!)));
  const cluster = new Uint8Array(64 ** 3);
  const distance = new Uint8Array(64 ** 3);
  const binLinear = Array.from({ length: 64 }, (_, bin) => srgbToLinear(bin * 4 + 1.5));
  for (let r = 0; r < 64; r++)
    for (let g = 0; g < 64; g++)
      for (let b = 0; b < 64; b++) {
        const lab = linearToOklab(binLinear[r]!, binLinear[g]!, binLinear[b]!);
        let best = NO_CLUSTER;
        let bestDistance = Infinity;
        for (let index = 0; index < refs.length; index++) {
          const d = weightedDistance(lab, refs[index]!);
          if (d < bestDistance) {
            best = index;
            bestDistance = d;
          }
        }
        const at = (r << 12) | (g << 6) | b;
        cluster[at] = bestDistance <= MAX_DISTANCE ? best : NO_CLUSTER;
        distance[at] = Math.min(255, Math.round(bestDistance * 10));
      }
  const codebook = { names, cluster, distance };
  codebooks.set(cacheKey, codebook);
  return codebook;
}

/** Runs of one cluster in one row; components are unions of touching runs. */
class Runs {
  count = 0;
  row = new Int32Array(1024);
  start = new Int32Array(1024);
  end = new Int32Array(1024); // exclusive
  cluster = new Uint8Array(1024);
  distanceSum = new Float64Array(1024);
  parent = new Int32Array(1024);

  push(row: number, start: number, end: number, cluster: number, distanceSum: number): void {
    if (this.count === this.row.length) this.grow();
    const i = this.count++;
    this.row[i] = row;
    this.start[i] = start;
    this.end[i] = end;
    this.cluster[i] = cluster;
    this.distanceSum[i] = distanceSum;
    this.parent[i] = i;
  }

  find(i: number): number {
    const parent = this.parent;
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  }

  union(a: number, b: number): void {
    const ra = this.find(a),
      rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  private grow(): void {
    const size = this.row.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.row = grow(this.row, (n) => new Int32Array(n));
    this.start = grow(this.start, (n) => new Int32Array(n));
    this.end = grow(this.end, (n) => new Int32Array(n));
    this.cluster = grow(this.cluster, (n) => new Uint8Array(n));
    this.distanceSum = grow(this.distanceSum, (n) => new Float64Array(n));
    this.parent = grow(this.parent, (n) => new Int32Array(n));
  }
}

/** Segments `image` for the clusters flagged in `wanted` (indexed like the codebook). */
function segmentWithCodebook(image: RgbImage, codebook: Codebook, wanted: Uint8Array): Runs {
  const { width, height, data } = image;
  const { cluster: clusterLut, distance: distanceLut } = codebook;
  const runs = new Runs();
  let previousRowFirst = 0;
  let previousRowEnd = 0;
  for (let y = 0; y < height; y++) {
    const rowFirst = runs.count;
    let x = 0;
    let p = y * width * 3;
    while (x < width) {
      const at = ((data[p]! >> 2) << 12) | ((data[p + 1]! >> 2) << 6) | (data[p + 2]! >> 2);
      const cluster = clusterLut[at]!;
      let distanceSum = distanceLut[at]!;
      const start = x;
      x++;
      p += 3;
      while (x < width) {
        const next = ((data[p]! >> 2) << 12) | ((data[p + 1]! >> 2) << 6) | (data[p + 2]! >> 2);
        if (clusterLut[next] !== cluster) break;
        distanceSum += distanceLut[next]!;
        x++;
        p += 3;
      }
      if (cluster !== NO_CLUSTER && wanted[cluster] === 1) runs.push(y, start, x, cluster, distanceSum);
    }
    // Join runs of the same cluster that overlap a run of the row above (4-connectivity).
    let above = previousRowFirst;
    for (let i = rowFirst; i < runs.count; i++) {
      while (above < previousRowEnd && runs.end[above]! <= runs.start[i]!) above++;
      for (let j = above; j < previousRowEnd && runs.start[j]! < runs.end[i]!; j++) {
        if (runs.cluster[j] === runs.cluster[i]) runs.union(i, j);
      }
    }
    previousRowFirst = rowFirst;
    previousRowEnd = runs.count;
  }
  return runs;
}

interface Component {
  cluster: number;
  area: number;
  distanceSum: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  runs: number[];
}

function toInstances(image: RgbImage, codebook: Codebook, runs: Runs, concepts: readonly string[]): ConceptMasks {
  const { width, height } = image;
  const components = new Map<number, Component>();
  for (let i = 0; i < runs.count; i++) {
    const root = runs.find(i);
    let component = components.get(root);
    if (!component) {
      component = {
        cluster: runs.cluster[i]!,
        area: 0,
        distanceSum: 0,
        minX: width,
        minY: height,
        maxX: -1,
        maxY: -1,
        runs: [],
      };
      components.set(root, component);
    }
    const start = runs.start[i]!,
      end = runs.end[i]!,
      row = runs.row[i]!;
    component.area += end - start;
    component.distanceSum += runs.distanceSum[i]!;
    component.minX = Math.min(component.minX, start);
    component.maxX = Math.max(component.maxX, end - 1);
    component.minY = Math.min(component.minY, row);
    component.maxY = Math.max(component.maxY, row);
    component.runs.push(i);
  }
  const minArea = Math.max(4, Math.round(MIN_AREA_FRACTION * width * height));
  const result: ConceptMasks = new Map();
  for (const concept of concepts) {
    const index = codebook.names.indexOf(concept);
    const found = [...components.values()]
      .filter((c) => c.cluster === index && c.area >= minArea)
      // Largest first; ties broken by position so the order never depends on map order.
      .sort((a, b) => b.area - a.area || a.minY - b.minY || a.minX - b.minX)
      .slice(0, MAX_INSTANCES)
      // Reading order (top to bottom, left to right) gives stable instance ids.
      .sort((a, b) => a.minY - b.minY || a.minX - b.minX);
    result.set(
      concept,
      found.map((c, id): Instance => {
        const boxWidth = c.maxX - c.minX + 1;
        const mask = new Uint8Array(boxWidth * (c.maxY - c.minY + 1));
        for (const r of c.runs) {
          const at = (runs.row[r]! - c.minY) * boxWidth - c.minX;
          mask.fill(255, at + runs.start[r]!, at + runs.end[r]!);
        }
        const meanDistance = c.distanceSum / 10 / c.area;
        return {
          concept,
          id,
          mask,
          bbox: [c.minX, c.minY, c.maxX - c.minX + 1, c.maxY - c.minY + 1],
          area: c.area,
          score: Math.round(Math.max(0, Math.min(1, 1 - meanDistance / MAX_DISTANCE)) * 1000) / 1000,
        };
      }),
    );
  }
  return result;
}

/** The reference colours of every preset that names one of `concepts`. */
function referencesFor(concepts: readonly string[]): Record<string, string> {
  const colors: Record<string, string> = {};
  for (const preset of PRESETS) {
    const references = CONCEPT_REFERENCE_COLORS[preset.id];
    if (references && concepts.some((concept) => concept in references)) Object.assign(colors, references);
  }
  return colors;
}

/** Raised whenever the stand-in's masks for the same photo change: reports name it (docs/reports.md). */
export const CPU_STAND_IN_VERSION = 1;

export function createCpuSegmenter(): Segmenter {
  const name = "cpu (classical stand-in for SAM 3)";
  return {
    name,
    health: { segmenter: name, provider: "js", model_version: null },
    // Its scores are colour distances to a reference, not confidences.
    report: { segmenter: `cpu-stand-in@${CPU_STAND_IN_VERSION}`, scores: false },
    async forJob(concepts) {
      const codebook = codebookFor(referencesFor(concepts));
      const wanted = new Uint8Array(codebook.names.length);
      codebook.names.forEach((name, index) => {
        if (concepts.includes(name)) wanted[index] = 1;
      });
      const job: JobSegmenter = {
        async segment(image, hints) {
          const found = toInstances(image, codebook, segmentWithCodebook(image, codebook, wanted), concepts);
          // A hinted concept is what the person drew, grown in colour space; the clustering's guess is dropped.
          for (const [concept, hint] of Object.entries<ConceptHint>(hints ?? {}))
            if (found.has(concept)) found.set(concept, growFromHints(image, concept, hint));
          return found;
        },
      };
      return job;
    },
    async close() {},
  };
}
