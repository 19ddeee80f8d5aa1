import { existsSync } from "node:fs";
import { mkdtemp, rm, unlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RgbImage } from "@s3/contract";
import { createOnnxSegmenter, type OnnxSegmenter } from "../../../../src/engine/segmenter/onnx";
import type { Instance } from "../../../../src/engine/segmenter/types";
import { buildTinySam3 } from "./build-models";
import { fullMask } from "../../../../src/engine/segmenter/masks";

// The tiny export (build-models.ts): query 0 finds bright pixels, query 1 dark ones; the
// first word of the concept's text sets each query's logit. Presence logit 10.
const OBJECTNESS: Record<string, [number, number]> = {
  wall: [6, -6], // bright region
  floor: [-6, 6], // dark region
  door: [5, 6], // both: dark (higher score) first
  window: [0.5, -6], // bright, score sigmoid(0.5) ≈ 0.62
  ceiling: [-6, -6], // nothing
};

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Mid-grey photo with a bright and a dark rectangle. */
function photo(width: number, height: number, bright: Rect | null, dark: Rect | null): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(128);
  const paint = (r: Rect, v: number) => {
    for (let y = r.y; y < r.y + r.h; y++) data.fill(v, (y * width + r.x) * 3, (y * width + r.x + r.w) * 3);
  };
  if (bright) paint(bright, 255);
  if (dark) paint(dark, 0);
  return { width, height, data };
}

function rectMask(width: number, height: number, r: Rect): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = r.y; y < r.y + r.h; y++) mask.fill(255, y * width + r.x, y * width + r.x + r.w);
  return mask;
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] !== 0;
    const q = b[i] !== 0;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}

function only(instances: Instance[] | undefined): Instance {
  expect(instances).toHaveLength(1);
  return instances![0]!;
}

// 200×120 stretched to 64×64, masks at 16×16: cells of 12.5×7.5 photo pixels.
const W = 200;
const H = 120;
const BRIGHT: Rect = { x: 50, y: 30, w: 50, h: 45 };
const DARK: Rect = { x: 125, y: 60, w: 50, h: 30 };
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };

let root: string;
let modelDir: string;
let segmenter: OnnxSegmenter;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sam3-tiny-"));
  modelDir = join(root, "stretch");
  await buildTinySam3(modelDir, { objectness: OBJECTNESS });
  segmenter = await createOnnxSegmenter({ modelDir, provider: "cpu", logger: quiet });
});
afterAll(async () => {
  await segmenter?.close();
  await rm(root, { recursive: true, force: true });
});

describe("onnx segmenter on a tiny SAM 3 export", () => {
  it("turns a bright region of the photo into the concept's instance mask at full resolution", async () => {
    const job = await segmenter.forJob(["Wall"]);
    const wall = only((await job.segment(photo(W, H, BRIGHT, DARK))).get("Wall"));
    expect(wall.mask).toHaveLength(wall.bbox[2] * wall.bbox[3]);
    expect(iou(fullMask(wall, W, H), rectMask(W, H, BRIGHT))).toBeGreaterThan(0.95);
    const expected = [BRIGHT.x, BRIGHT.y, BRIGHT.w, BRIGHT.h];
    wall.bbox.forEach((got, i) => expect(Math.abs(got - expected[i]!)).toBeLessThanOrEqual(1));
    expect(wall.area).toBe(wall.mask.reduce((n, v) => n + (v === 255 ? 1 : 0), 0));
    expect(wall.score).toBeCloseTo(1 / (1 + Math.exp(-6)), 3);
    expect(wall).toMatchObject({ concept: "Wall", id: 0 });
  });

  it("reports each concept's instances best score first with ids from 0", async () => {
    const job = await segmenter.forJob(["Door", "Floor"]);
    const masks = await job.segment(photo(W, H, BRIGHT, DARK));
    const door = masks.get("Door")!;
    expect(door.map((i) => i.id)).toEqual([0, 1]);
    expect(iou(fullMask(door[0]!, W, H), rectMask(W, H, DARK))).toBeGreaterThan(0.95);
    expect(iou(fullMask(door[1]!, W, H), rectMask(W, H, BRIGHT))).toBeGreaterThan(0.95);
    expect(door[0]!.score).toBeGreaterThan(door[1]!.score);
    expect(only(masks.get("Floor")).id).toBe(0);
  });

  it("drops instances under the score threshold and lists the concept with no instances", async () => {
    const job = await segmenter.forJob(["Ceiling", "Window"]);
    const masks = await job.segment(photo(W, H, BRIGHT, DARK));
    expect(masks.get("Ceiling")).toEqual([]);
    expect(only(masks.get("Window")).score).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 2);

    const strictDir = join(root, "strict");
    await buildTinySam3(strictDir, { objectness: OBJECTNESS, manifest: { scoreThreshold: 0.7 } });
    const strict = await createOnnxSegmenter({ modelDir: strictDir, provider: "cpu", logger: quiet });
    try {
      const strictMasks = await (await strict.forJob(["Window", "Wall"])).segment(photo(W, H, BRIGHT, DARK));
      expect(strictMasks.get("Window")).toEqual([]);
      expect(strictMasks.get("Wall")).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });

  it("drops an instance whose mask is empty even when its score passes", async () => {
    const job = await segmenter.forJob(["Wall", "Floor"]);
    const masks = await job.segment(photo(W, H, null, DARK));
    expect(masks.get("Wall")).toEqual([]);
    expect(masks.get("Floor")).toHaveLength(1);
  });

  it("encodes text once per concept per job and each photo once for all its concepts", async () => {
    const before = structuredClone(segmenter.stats);
    const job = await segmenter.forJob(["Wall", "Floor", "Wall", "Door"]);
    expect(segmenter.stats.textEncoder.runs - before.textEncoder.runs).toBe(3);

    const first = await job.segment(photo(W, H, BRIGHT, DARK));
    const second = await job.segment(photo(W, H, null, { x: 10, y: 10, w: 40, h: 40 }));
    expect(segmenter.stats.textEncoder.runs - before.textEncoder.runs).toBe(3);
    expect(segmenter.stats.imageEncoder.runs - before.imageEncoder.runs).toBe(2);
    expect(segmenter.stats.maskDecoder.runs - before.maskDecoder.runs).toBe(6);
    // Each photo's own features reach the decoder: the second has its dark square elsewhere.
    expect(iou(fullMask(only(first.get("Floor")), W, H), rectMask(W, H, DARK))).toBeGreaterThan(0.95);
    expect(only(second.get("Floor")).bbox[0]).toBeLessThan(15);
  });

  it("undoes the letterbox padding when the export letterboxes", async () => {
    const dir = join(root, "letterbox");
    await buildTinySam3(dir, { objectness: OBJECTNESS, resize: "letterbox" });
    const boxed = await createOnnxSegmenter({ modelDir: dir, provider: "cpu", logger: quiet });
    try {
      // 256×128 → 64×32 in the top half of the 64×64 input; cells of 16×16 photo pixels.
      const bright: Rect = { x: 64, y: 32, w: 96, h: 64 };
      const wall = only((await (await boxed.forJob(["Wall"])).segment(photo(256, 128, bright, null))).get("Wall"));
      expect(iou(fullMask(wall, 256, 128), rectMask(256, 128, bright))).toBeGreaterThan(0.95);
    } finally {
      await boxed.close();
    }
  });
});

describe("onnx segmenter setup", () => {
  const ortBin = join(
    dirname(createRequire(import.meta.url).resolve("onnxruntime-node")),
    "..",
    "bin",
    "napi-v6",
    "linux",
    "x64",
  );
  const cudaInstalled = existsSync(join(ortBin, "libonnxruntime_providers_cuda.so"));

  it.skipIf(cudaInstalled)("refuses to start on ONNX_PROVIDER=cuda when CUDA does not load, saying why", async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), debug: vi.fn() };
    await expect(createOnnxSegmenter({ modelDir, provider: "cuda", logger })).rejects.toThrow(
      /ONNX_PROVIDER=cuda but the CUDA execution provider did not load.*ONNX_ALLOW_CPU_FALLBACK=true/s,
    );
    expect(logger.info).not.toHaveBeenCalled();
  });

  it.skipIf(cudaInstalled)(
    "falls back from CUDA to CPU with a warning only when ONNX_ALLOW_CPU_FALLBACK allows it",
    async () => {
      const logger = { info: vi.fn(), warn: vi.fn(), debug: vi.fn() };
      const fallback = await createOnnxSegmenter({ modelDir, provider: "cuda", allowCpuFallback: true, logger });
      try {
        expect(fallback.provider).toBe("cpu");
        expect(fallback.name).toBe("onnx sam3 (provider cpu, CUDA unavailable: ONNX_ALLOW_CPU_FALLBACK)");
        expect(fallback.health).toMatchObject({ provider: "cpu" });
        expect(logger.warn).toHaveBeenCalledTimes(1);
        expect(logger.warn.mock.calls[0]![1]).toMatch(/CUDA execution provider unavailable/);
        const wall = (await (await fallback.forJob(["Wall"])).segment(photo(W, H, BRIGHT, DARK))).get("Wall");
        expect(wall).toHaveLength(1);
      } finally {
        await fallback.close();
      }
    },
  );

  it("names the provider it runs on", () => {
    expect(segmenter.name).toBe("onnx sam3 (provider cpu)");
  });

  it("refuses a model directory that lacks a file, naming it", async () => {
    const dir = join(root, "incomplete");
    await buildTinySam3(dir, { objectness: OBJECTNESS });
    await unlink(join(dir, "text_encoder.onnx"));
    await expect(createOnnxSegmenter({ modelDir: dir, provider: "cpu", logger: quiet })).rejects.toThrow(
      /text_encoder\.onnx/,
    );
  });
});
