import { describe, expect, it } from "vitest";
import { fullMask, MAX_INSTANCES_PER_CONCEPT } from "../../../../src/engine/segmenter/masks";
import {
  decodeInstances,
  mapInstances,
  photoMapping,
  upsampleMask,
} from "../../../../src/engine/segmenter/onnx/postprocess";

const square = { size: 8, contentWidth: 8, contentHeight: 8 };

describe("mask upsampling", () => {
  it("interpolates logits bilinearly at half-pixel centres before thresholding", () => {
    // 2×2 logits → 4×4 photo. Sample x = (i + 0.5)/2 - 0.5 → 0 (clamped), 0.25, 0.75, 1 (clamped).
    // Row 0: 1, 0.5, -0.5, -1. Row 1 (0.75·row0 + 0.25·row1 = [0.5, -1]): 0.5, 0.125, -0.625, -1. Rows 2–3 < 0.
    const logits = Float32Array.from([1, -1, -1, -1]);
    const { mask, area, bbox } = upsampleMask(logits, 0, 2, 2, photoMapping(4, 4, square, 2, 2), 0);
    expect([...fullMask({ mask, bbox }, 4, 4)]).toEqual([255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(mask).toHaveLength(bbox[2] * bbox[3]);
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

describe("candidate cap", () => {
  it("keeps the largest candidates by low-res area before upsampling, best score first", () => {
    // 80 queries over a 10×10 grid, query q covers the first q + 1 cells; scores fall with q.
    const side = 10,
      queries = 80;
    const masks = new Float32Array(queries * side * side).fill(-1);
    for (let q = 0; q < queries; q++) masks.fill(1, q * side * side, q * side * side + q + 1);
    const logits = Float32Array.from({ length: queries }, (_, q) => 5 - q / 100);
    const mapping = photoMapping(40, 40, { size: 10, contentWidth: 10, contentHeight: 10 }, side, side);
    const kept = decodeInstances(
      "Tile",
      { masks, maskWidth: side, maskHeight: side, logits, presenceLogit: null },
      mapping,
      { score: 0.5, mask: 0 },
    );
    expect(kept).toHaveLength(MAX_INSTANCES_PER_CONCEPT);
    // The 16 smallest (queries 0..15) are the ones dropped; the rest come best score (lowest q) first.
    const expected = Array.from({ length: queries - 16 }, (_, i) => 1 / (1 + Math.exp(-(5 - (16 + i) / 100))));
    kept.forEach((instance, i) => expect(instance.score).toBeCloseTo(expected[i]!, 6));
    expect(kept.map((i) => i.id)).toEqual(kept.map((_, id) => id));
  });
});

describe("probability-map instances", () => {
  it("makes each connected region over the threshold one instance, never taking in a neighbour", () => {
    // 8×4 map: two blobs one cell apart, one faint blob under the score threshold.
    const map = Float32Array.from([
      0.9, 0.9, 0, 0.8, 0.8, 0, 0, 0, 0.9, 0.9, 0, 0.8, 0.8, 0, 0.4, 0, 0, 0, 0, 0, 0, 0, 0.4, 0, 0, 0, 0, 0, 0, 0, 0,
      0,
    ]);
    const mapping = photoMapping(80, 40, { size: 8, contentWidth: 8, contentHeight: 4 }, 8, 4);
    const found = mapInstances("Label_Text", map, 8, 4, mapping, { score: 0.6, mask: 0.3 });
    expect(found).toHaveLength(2);
    const [left, right] = [...found].sort((a, b) => a.bbox[0] - b.bbox[0]);
    // Cells are 10×10 photo pixels: the left blob is cells 0–1 (x 0..19), the right one cells 3–4 (x 30..49).
    expect(left!.bbox[0]).toBe(0);
    expect(left!.bbox[0] + left!.bbox[2]).toBeLessThanOrEqual(25);
    expect(right!.bbox[0]).toBeGreaterThanOrEqual(25);
    // Bilinear edges fall between cell centres: half a cell past the blob at most, short of the next.
    expect(right!.bbox[0] + right!.bbox[2]).toBeLessThanOrEqual(55);
    expect(left!.score).toBeCloseTo(0.9, 5);
    expect(right!.score).toBeCloseTo(0.8, 5);
  });
});
