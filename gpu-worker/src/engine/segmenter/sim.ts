// SEGMENTER=sim — a BENCHMARK STAND-IN, for measurement only: it simulates an accelerator,
// it segments nothing. Each photo waits on one simulated device (SIM_IMAGE_MS per photo plus
// SIM_CONCEPT_MS per concept) and comes back with the masks known in advance for generated
// scenes (scenes.ts ground truth). Any other photo fails. SIM_MODE=timer waits on a timer;
// SIM_MODE=blocking holds the segmenter thread (thread.ts) for that time with Atomics.wait, as
// onnxruntime's synchronous run() holds it, so a benchmark sees what a blocked thread costs. In both
// modes the masks are built on that thread, as onnx's are.
// Why: it shows how fast the rest of the worker can feed a GPU, without the GPU.
import type { RgbImage } from "@s3/contract";
import { interiorScene, sellerScene, type Scene } from "@s3/contract/scenes";
import { largest, MAX_INSTANCES_PER_CONCEPT } from "./masks";
import type { KnownInstance, SimMasksRequest } from "./sim-masks";
import { startSegmenterThread, type SegmenterThread } from "./thread-client";
import type { ConceptMasks, JobSegmenter, Segmenter } from "./types";

export const SIM_SEGMENTER_NAME = "sim (benchmark stand-in: simulated accelerator, generated scenes only)";

export type SimMode = "timer" | "blocking";

export interface SimSegmenterOptions {
  /** Simulated device time per photo (SIM_IMAGE_MS). */
  imageMs: number;
  /** Simulated device time per concept of the job, per photo (SIM_CONCEPT_MS). */
  conceptMs: number;
  /** SIM_MODE: wait on a timer (default), or block the segmenter thread for the device time. */
  mode?: SimMode;
}

export interface SimSegmenter extends Segmenter {
  /** Milliseconds of work given to the simulated device, for its busy fraction. */
  readonly busyMs: number;
  /** Photos the simulated device has segmented. */
  readonly images: number;
  /** Builds the known masks for a scene size ahead of time (a benchmark's warm-up). */
  prepare(preset: Scene["preset"], width: number, height: number): void;
}

interface KnownScene {
  /** Flat pixel indices and the RGB the scene has there, to recognise it in a photo. */
  samplePixels: Int32Array;
  sampleColors: Uint8Array;
  instances: Map<string, KnownInstance[]>;
}

const SCENES: Record<Scene["preset"], (width: number, height: number) => Scene> = {
  interior: (width, height) => interiorScene(width, height),
  seller: (width, height) => sellerScene(width, height),
};
const SAMPLE_GRID = 16;
/** Per channel: the scene's noise seed and JPEG both move pixels, never this far. */
const SAMPLE_TOLERANCE = 40;
/** Share of sample pixels that must match; edges may blur a few under JPEG. */
const SAMPLE_QUORUM = 0.75;

function knownInstance(mask: Uint8Array, width: number): KnownInstance {
  const runs: number[] = [];
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1,
    area = 0;
  for (let p = 0; p < mask.length;) {
    if (mask[p] === 0) {
      p++;
      continue;
    }
    const start = p;
    while (p < mask.length && mask[p] !== 0) p++;
    runs.push(start, p);
    area += p - start;
    // A run may wrap rows; its first and last pixels bound it, the full rows between span the width.
    const [ya, yb] = [Math.floor(start / width), Math.floor((p - 1) / width)];
    const [xa, xb] = ya === yb ? [start % width, (p - 1) % width] : [0, width - 1];
    x0 = Math.min(x0, xa);
    x1 = Math.max(x1, xb);
    y0 = Math.min(y0, ya);
    y1 = Math.max(y1, yb);
  }
  return { runs: Int32Array.from(runs), bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], area };
}

function knownScene(preset: Scene["preset"], width: number, height: number): KnownScene {
  const scene = SCENES[preset](width, height);
  const samplePixels = new Int32Array(SAMPLE_GRID * SAMPLE_GRID);
  const sampleColors = new Uint8Array(samplePixels.length * 3);
  for (let row = 0; row < SAMPLE_GRID; row++)
    for (let col = 0; col < SAMPLE_GRID; col++) {
      const at = row * SAMPLE_GRID + col;
      const x = Math.floor(((col + 0.5) / SAMPLE_GRID) * width),
        y = Math.floor(((row + 0.5) / SAMPLE_GRID) * height);
      samplePixels[at] = y * width + x;
      sampleColors.set(scene.image.data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3), at * 3);
    }
  const instances = new Map<string, KnownInstance[]>();
  for (const [concept, masks] of scene.truth)
    instances.set(
      concept,
      masks.map((mask) => knownInstance(mask, width)),
    );
  return { samplePixels, sampleColors, instances };
}

function matches(known: KnownScene, image: RgbImage): boolean {
  let matching = 0;
  for (let at = 0; at < known.samplePixels.length; at++) {
    const p = known.samplePixels[at]! * 3;
    let close = true;
    for (let c = 0; c < 3; c++)
      if (Math.abs(image.data[p + c]! - known.sampleColors[at * 3 + c]!) > SAMPLE_TOLERANCE) close = false;
    if (close) matching++;
  }
  return matching >= SAMPLE_QUORUM * known.samplePixels.length;
}

export function createSimSegmenter(options: SimSegmenterOptions): SimSegmenter {
  const known = new Map<string, KnownScene>();
  const knownFor = (preset: Scene["preset"], width: number, height: number): KnownScene => {
    const key = `${preset}:${width}x${height}`;
    let scene = known.get(key);
    if (!scene) known.set(key, (scene = knownScene(preset, width, height)));
    return scene;
  };
  /** The simulated device runs one photo at a time, as one GPU stream does; it is free again at `freeAt`
   *  whether or not the main thread is there to notice, so a blocked event loop leaves it idle. */
  let freeAt = 0;
  let busyMs = 0,
    images = 0;

  const mode = options.mode ?? "timer";
  let thread: SegmenterThread | null = null;

  /** The photo's device time, then its masks, built on the segmenter thread as onnx's are (sim-masks.ts). */
  async function occupyDevice(ms: number, masks: SimMasksRequest): Promise<ConceptMasks> {
    busyMs += ms;
    images++;
    thread ??= startSegmenterThread();
    if (mode === "blocking") {
      // The thread runs one request at a time: photos queue behind each other as on one device.
      return (await thread.call<ConceptMasks>({ kind: "sim-masks", blockMs: ms, masks })).value;
    }
    const now = performance.now();
    freeAt = Math.max(now, freeAt) + ms;
    await new Promise((resolve) => setTimeout(resolve, freeAt - now));
    return (await thread.call<ConceptMasks>({ kind: "sim-masks", blockMs: 0, masks })).value;
  }

  const name = mode === "timer" ? SIM_SEGMENTER_NAME : `${SIM_SEGMENTER_NAME}, blocking its own thread`;
  return {
    name,
    health: { segmenter: name, provider: "sim", model_version: null },
    report: { segmenter: "sim@1", scores: false },
    get busyMs() {
      return busyMs;
    },
    get images() {
      return images;
    },
    prepare(preset, width, height) {
      knownFor(preset, width, height);
    },
    async forJob(concepts): Promise<JobSegmenter> {
      const wanted = [...concepts];
      // The thread loads with the job, as onnx's sessions do, not during the first photo's device time.
      await (thread ??= startSegmenterThread()).call({
        kind: "sim-masks",
        blockMs: 0,
        masks: { width: 0, concepts: [] },
      });
      return {
        async segment(image) {
          let scene: KnownScene | undefined;
          for (const preset of Object.keys(SCENES) as Scene["preset"][]) {
            const candidate = knownFor(preset, image.width, image.height);
            if (matches(candidate, image)) {
              scene = candidate;
              break;
            }
          }
          if (!scene)
            throw new Error(
              "the sim segmenter (a benchmark stand-in) knows only generated scenes; this photo is not one",
            );
          const concepts = wanted.map((concept) => {
            const known = scene.instances.get(concept) ?? [];
            const kept = largest(
              known.map((instance) => instance.area),
              MAX_INSTANCES_PER_CONCEPT,
            );
            return { concept, instances: kept.map((index) => known[index]!) };
          });
          return occupyDevice(options.imageMs + options.conceptMs * wanted.length, { width: image.width, concepts });
        },
      };
    },
    async close() {
      await thread?.terminate();
      thread = null;
    },
  };
}
