import { describe, expect, it } from "vitest";
import { COLORS, TEXTURES, TONES, resolveColor, watermarkRegion, type Action } from "@s3/contract";
import { interiorScene, truthUnion } from "@s3/contract/testing";
import { applyRule, type ConceptEdit } from "../../../src/engine/apply";
import { rgbToOklab } from "../../../src/engine/color";
import { changedPixels, correlation, erode, flatImage, labsIn, mean, rectMask, std } from "../../helpers/pixels";

const scene = interiorScene(160, 120, 5);
const { width, height } = scene.image;
const size = width * height;
const wall = truthUnion(scene, "Wall");
const wallCore = erode(wall, width, height, 3);
const protect = truthUnion(scene, "Frame_Molding");

function edit(concept: string, action: Action, value: string, mask = truthUnion(scene, concept)): ConceptEdit {
  return { concept, action, value, mask };
}

/** Every pixel outside `mask` is bit-identical to the input. */
function expectUnchangedOutside(out: Uint8Array, mask: Uint8Array) {
  const outside = changedPixels(scene.image.data, out).filter((p) => !mask[p]);
  expect(outside).toEqual([]);
}

const hueOf = (a: number, b: number) => (Math.atan2(b, a) * 180) / Math.PI;
const hueGap = (x: number, y: number) => Math.abs(((x - y + 540) % 360) - 180);

describe("recolor", () => {
  // Tolerances: hue within 12° of the target (chromatic targets), mean lightness within
  // 0.04 of the target's, in/out lightness correlation ≥ 0.9, and the lightness spread
  // kept within 60–140% of the original's.
  it.each([...Object.keys(COLORS), "#3366cc"])(
    "recolor to %s moves hue inside the mask and keeps the shading",
    (value) => {
      const out = applyRule({ image: scene.image, edits: [edit("Wall", "recolor", value)], protect, watermark: false });
      expectUnchangedOutside(out, wall);
      const before = labsIn(scene.image.data, wallCore);
      const after = labsIn(out, wallCore);
      const [targetL, targetA, targetB] = rgbToOklab(...resolveColor(value));
      const chroma = Math.hypot(targetA, targetB);
      const a = mean(after.map((lab) => lab[1])),
        b = mean(after.map((lab) => lab[2]));
      if (chroma > 0.03) expect(hueGap(hueOf(a, b), hueOf(targetA, targetB))).toBeLessThan(12);
      else expect(Math.hypot(a, b)).toBeLessThan(0.04);
      expect(Math.abs(mean(after.map((lab) => lab[0])) - targetL)).toBeLessThan(0.04);
      const lightBefore = before.map((lab) => lab[0]),
        lightAfter = after.map((lab) => lab[0]);
      expect(correlation(lightBefore, lightAfter)).toBeGreaterThan(0.9);
      expect(std(lightAfter) / std(lightBefore)).toBeGreaterThan(0.6);
      expect(std(lightAfter) / std(lightBefore)).toBeLessThan(1.4);
    },
  );

  it("keeps protect pixels bit-identical where a protect mask overlaps the concept", () => {
    // The concept mask covers the door and its handle; the handle is protected.
    const handle = truthUnion(scene, "Handle");
    const doorWithHandle = truthUnion(scene, "Door").map((v, p) => v | handle[p]!);
    const out = applyRule({
      image: scene.image,
      edits: [edit("Door", "recolor", "sage_a", doorWithHandle)],
      protect: handle,
      watermark: false,
    });
    const changed = changedPixels(scene.image.data, out);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((p) => handle[p])).toEqual([]);
    expect(changed.filter((p) => !doorWithHandle[p])).toEqual([]);
  });

  it("a later concept wins where two concept masks overlap", () => {
    const square = rectMask(width, height, 10, 10, 40, 40);
    const out = applyRule({
      image: scene.image,
      edits: [edit("Wall", "recolor", "red_a", square), edit("Floor", "recolor", "#0000ff", square)],
      protect: null,
      watermark: false,
    });
    const p = (25 * width + 25) * 3;
    expect(out[p + 2]!).toBeGreaterThan(out[p]!);
  });
});

describe("tone", () => {
  const luma = (d: Uint8Array, p: number) => 0.3 * d[p * 3]! + 0.59 * d[p * 3 + 1]! + 0.11 * d[p * 3 + 2]!;
  const warmth = (d: Uint8Array, p: number) => d[p * 3]! - d[p * 3 + 2]!;
  const chroma = (d: Uint8Array, p: number) => {
    const [, a, b] = rgbToOklab(d[p * 3]!, d[p * 3 + 1]!, d[p * 3 + 2]!);
    return Math.hypot(a, b);
  };
  const core = [...wallCore.keys()].filter((p) => wallCore[p]);
  const over = (d: Uint8Array, f: (d: Uint8Array, p: number) => number) => mean(core.map((p) => f(d, p)));
  const spread = (d: Uint8Array) => std(core.map((p) => luma(d, p)));
  const expectations: Record<(typeof TONES)[number], (before: Uint8Array, after: Uint8Array) => void> = {
    warm: (b, a) => expect(over(a, warmth)).toBeGreaterThan(over(b, warmth) + 5),
    cool: (b, a) => expect(over(a, warmth)).toBeLessThan(over(b, warmth) - 5),
    bright: (b, a) => expect(over(a, luma)).toBeGreaterThan(over(b, luma) + 5),
    dark: (b, a) => expect(over(a, luma)).toBeLessThan(over(b, luma) - 5),
    matte: (b, a) => {
      expect(spread(a)).toBeLessThan(spread(b));
      expect(over(a, chroma)).toBeLessThan(over(b, chroma));
    },
    vivid: (b, a) => expect(over(a, chroma)).toBeGreaterThan(over(b, chroma) * 1.15),
  };

  it.each(TONES)("tone %s shifts the region the named way and nothing outside it", (tone) => {
    const out = applyRule({ image: scene.image, edits: [edit("Wall", "tone", tone)], protect, watermark: false });
    expectUnchangedOutside(out, wall);
    expectations[tone](scene.image.data, out);
  });
});

describe("texture", () => {
  // A grey wall, lit twice as brightly on its left half as on its right.
  const lit = flatImage(128, 64, (x) => (x < 64 ? [180, 180, 180] : [90, 90, 90]));
  const square = rectMask(128, 64, 8, 8, 120, 56);
  const halfMean = (d: Uint8Array, left: boolean) => {
    const values: number[] = [];
    for (let y = 12; y < 52; y++)
      for (let x = left ? 12 : 68; x < (left ? 60 : 116); x++)
        values.push((d[(y * 128 + x) * 3]! + d[(y * 128 + x) * 3 + 1]! + d[(y * 128 + x) * 3 + 2]!) / 3);
    return { mean: mean(values), std: std(values) };
  };

  it.each(TEXTURES)("texture %s lays a pattern modulated by the original lighting", (texture) => {
    const out = applyRule({
      image: lit,
      edits: [{ concept: "Floor", action: "texture", value: texture, mask: square }],
      protect: null,
      watermark: false,
    });
    expect(changedPixels(lit.data, out).filter((p) => !square[p])).toEqual([]);
    const left = halfMean(out, true),
      right = halfMean(out, false);
    // A pattern, not a flat fill…
    expect(left.std).toBeGreaterThan(1);
    // …that keeps the light: the brighter half stays clearly brighter.
    expect(left.mean / right.mean).toBeGreaterThan(1.5);
  });
});

describe("edges and watermark", () => {
  it("feathers over two pixels on the concept side only", () => {
    const grey = flatImage(64, 64, () => [128, 128, 128]);
    const square = rectMask(64, 64, 16, 16, 48, 48);
    const out = applyRule({
      image: grey,
      edits: [{ concept: "Wall", action: "recolor", value: "#ff0000", mask: square }],
      protect: null,
      watermark: false,
    });
    const red = (x: number) => out[(32 * 64 + x) * 3]!;
    expect(red(15)).toBe(128); // outside: untouched
    const full = red(32);
    expect(red(19)).toBe(full); // three pixels in: the full edit
    // distance 1 and 2 from the border: one third and two thirds of the way
    expect(Math.abs(red(16) - (128 + (full - 128) / 3))).toBeLessThanOrEqual(2);
    expect(Math.abs(red(17) - (128 + ((full - 128) * 2) / 3))).toBeLessThanOrEqual(2);
  });

  it("draws a visible watermark only when asked, and only in its corner box", () => {
    const plain = applyRule({ image: scene.image, edits: [], protect: null, watermark: false });
    expect(changedPixels(scene.image.data, plain)).toEqual([]);
    const marked = applyRule({ image: scene.image, edits: [], protect: null, watermark: true });
    const box = watermarkRegion(width, height);
    const changed = changedPixels(scene.image.data, marked);
    expect(changed.length).toBeGreaterThan(box.width * box.height * 0.5);
    const outsideBox = changed.filter((p) => {
      const x = p % width,
        y = Math.floor(p / width);
      return x < box.x || y < box.y || x >= box.x + box.width || y >= box.y + box.height;
    });
    expect(outsideBox).toEqual([]);
  });

  it("leaves the photo bit-identical when no concept was found", () => {
    const out = applyRule({
      image: scene.image,
      edits: [edit("Wall", "recolor", "sage_a", new Uint8Array(size))],
      protect,
      watermark: false,
    });
    expect(changedPixels(scene.image.data, out)).toEqual([]);
  });
});
