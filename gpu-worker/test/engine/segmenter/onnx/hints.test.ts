import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RgbImage } from "@s3/contract";
import { createOnnxSegmenter, type OnnxSegmenter } from "../../../../src/engine/segmenter/onnx";
import { boxFeeds, boxPrompts, PADDING_LABEL, POINT_BOX_SIDE } from "../../../../src/engine/segmenter/onnx/hints";
import { buildTinySam3 } from "./build-models";

const [W, H] = [200, 120];
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };

/** Mid-grey with a bright block at [50, 100) × [30, 75). */
function photo(): RgbImage {
  const data = new Uint8Array(W * H * 3).fill(128);
  for (let y = 30; y < 75; y++) data.fill(255, (y * W + 50) * 3, (y * W + 100) * 3);
  return { width: W, height: H, data };
}

describe("hints as SAM 3 box prompts", () => {
  it("normalises a box in photo pixels to (cx, cy, w, h) of the model input, stretched or letterboxed", () => {
    const hint = { boxes: [[50, 30, 100, 75]] };
    const stretched = boxPrompts(hint, W, H, { size: 64, contentWidth: 64, contentHeight: 64 });
    expect(stretched.labels).toEqual([1]);
    [0.375, 0.4375, 0.25, 0.375].forEach((value, at) => expect(stretched.boxes[at]).toBeCloseTo(value, 6));
    // Letterboxed: the photo fills 64 × 38 of the 64² input, top-left aligned.
    const letterboxed = boxPrompts(hint, W, H, { size: 64, contentWidth: 64, contentHeight: 38 });
    expect(letterboxed.boxes[1]).toBeCloseTo((52.5 * 38) / 120 / 64, 6);
    expect(letterboxed.boxes[3]).toBeCloseTo((45 * 38) / 120 / 64, 6);
  });

  it("turns a point into a small box of its label", () => {
    const { boxes, labels } = boxPrompts({ points: [[99.5, 59.5, 0]] }, W, H, {
      size: 64,
      contentWidth: 64,
      contentHeight: 64,
    });
    expect(labels).toEqual([0]);
    expect(boxes.slice(2)).toEqual([POINT_BOX_SIDE, POINT_BOX_SIDE]);
  });

  it("pads every prompt of a batch to its most boxes with the padding label", () => {
    const feeds = boxFeeds([{ boxes: [0.5, 0.5, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05], labels: [1, 0] }, undefined]);
    expect(feeds.count).toBe(2);
    expect([...feeds.labels]).toEqual([1n, 0n, BigInt(PADDING_LABEL), BigInt(PADDING_LABEL)]);
    expect(feeds.boxes.length).toBe(2 * 2 * 4);
  });
});

describe("onnx segmenter with hints (a tiny export whose decoder reads its box inputs)", () => {
  let root: string;
  const segmenters: OnnxSegmenter[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "sam3-hints-"));
    // Logit 3 for a bright region, raised by the prompt's largest box label: found only with an include box.
    const objectness: Record<string, [number, number]> = { wall: [3, -6], floor: [3, -6] };
    for (const batchedDecoder of [false, true]) {
      const dir = join(root, batchedDecoder ? "batched" : "single");
      await buildTinySam3(dir, { objectness, boxGate: true, batchedDecoder });
      segmenters.push(await createOnnxSegmenter({ modelDir: dir, provider: "cpu", logger: quiet }));
    }
  });
  afterAll(async () => {
    await Promise.all(segmenters.map((segmenter) => segmenter.close()));
    await rm(root, { recursive: true, force: true });
  });

  it.each([0, 1])(
    "feeds a hinted concept's boxes to the decoder, and padding to the others (decoder %#)",
    async (at) => {
      const job = await segmenters[at]!.forJob(["Wall", "Floor"]);
      const plain = await job.segment(photo());
      expect(plain.get("Wall")).toEqual([]);
      const hinted = await job.segment(photo(), { Wall: { boxes: [[40, 20, 110, 85]] } });
      expect(hinted.get("Wall")).toHaveLength(1);
      expect(hinted.get("Floor")).toEqual([]);
      const [x, y, w, h] = hinted.get("Wall")![0]!.bbox;
      expect(Math.abs(x - 50) + Math.abs(y - 30) + Math.abs(w - 50) + Math.abs(h - 45)).toBeLessThanOrEqual(8);
    },
  );
});
