import { describe, expect, it } from "vitest";
import { decodeInstances, photoMapping, upsampleMask } from "../../src/engine/segmenter/onnx/postprocess";

const square = { size: 8, contentWidth: 8, contentHeight: 8 };

describe("mask upsampling", () => {
  it("interpolates logits bilinearly at half-pixel centres before thresholding", () => {
    // 2×2 logits → 4×4 photo. Sample x = (i + 0.5)/2 - 0.5 → 0 (clamped), 0.25, 0.75, 1 (clamped).
    // Row 0: 1, 0.5, -0.5, -1. Row 1 (0.75·row0 + 0.25·row1 = [0.5, -1]): 0.5, 0.125, -0.625, -1. Rows 2–3 < 0.
    const logits = Float32Array.from([1, -1, -1, -1]);
    const { mask, area, bbox } = upsampleMask(logits, 0, 2, 2, photoMapping(4, 4, square, 2, 2), 0);
    expect([...mask]).toEqual([255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(area).toBe(4);
    expect(bbox).toEqual([0, 0, 2, 2]);
  });

  it("finds a region at the right edge of the photo", () => {
    const logits = Float32Array.from([-1, 1, -1, 1]);
    const { bbox } = upsampleMask(logits, 0, 2, 2, photoMapping(4, 4, square, 2, 2), 0);
    expect(bbox).toEqual([2, 0, 2, 4]);
  });
});

describe("instance decoding", () => {
  it("multiplies the query score by the presence score before the threshold", () => {
    const result = {
      masks: new Float32Array(8).fill(1),
      maskWidth: 2,
      maskHeight: 2,
      logits: Float32Array.from([4, 4]),
      presenceLogit: -1,
    };
    const mapping = photoMapping(4, 4, square, 2, 2);
    // sigmoid(4) · sigmoid(-1) ≈ 0.98 · 0.27 ≈ 0.26
    expect(decodeInstances("Wall", result, mapping, { score: 0.5, mask: 0 })).toEqual([]);
    expect(decodeInstances("Wall", result, mapping, { score: 0.2, mask: 0 })).toHaveLength(2);
  });
});
