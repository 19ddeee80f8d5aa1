import { describe, expect, it } from "vitest";
import { TEXTURES, TONES, type Action, type RgbImage } from "@s3/contract";
import { interiorScene, truthUnion } from "@s3/contract/testing";
import {
  applyKernelJs,
  applyRule,
  applyRuleReusing,
  compileEdits,
  featherAlpha,
  ownerMap,
  PIXEL_KERNEL,
  type ConceptEdit,
} from "../../../src/engine/apply";
import { wasmKernel, wasmKernelError } from "../../../src/engine/apply/kernel/wasm";
import { changedPixels } from "../../helpers/pixels";

// Widths that are not multiples of 4 or 16 put run ends everywhere inside a step; 700 px
// makes texture steps cross the 512-px tile seam.
const scene = interiorScene(701, 61, 3);
const { width, height } = scene.image;

/** Every pixel value, in a fixed pseudo-random order: reaches the clamps and the saturating multiply. */
function noiseImage(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  return { width: w, height: h, data };
}

/** Stripes of 1–37 px in turn owned by edit 1, 2, 3 or nobody: many short runs and feathered borders. */
function stripes(w: number, h: number, edits: number): Uint8Array[] {
  const masks = Array.from({ length: edits }, () => new Uint8Array(w * h));
  let state = 99;
  for (let p = 0; p < w * h;) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const length = 1 + ((state >>> 16) % 37),
      owner = (state >>> 8) % (edits + 1);
    for (let end = Math.min(w * h, p + length); p < end; p++) if (owner > 0) masks[owner - 1]![p] = 255;
  }
  return masks;
}

/** The JS kernel's and the WebAssembly kernel's results for the same inputs. */
function bothKernels(image: RgbImage, edits: ConceptEdit[], protect: Uint8Array | null) {
  const owner = ownerMap(image.width, image.height, edits, protect);
  const alpha = featherAlpha(owner, image.width, image.height);
  const compiled = compileEdits(image, owner, edits);
  const js = image.data.slice();
  applyKernelJs(image, owner, alpha, compiled, js);
  const photo = wasmKernel!.photo(image.width, image.height);
  photo.pixels.set(image.data);
  photo.owner.set(owner);
  photo.alpha.set(alpha);
  photo.apply(compiled);
  return { js, wasm: photo.pixels };
}

const rules: [string, [Action, string][]][] = [
  [
    "recolor to a palette value and to #RRGGBB",
    [
      ["recolor", "sage_a"],
      ["recolor", "#3366cc"],
    ],
  ],
  ...TONES.map((tone): [string, [Action, string][]] => [`tone ${tone}`, [["tone", tone]]]),
  ...TEXTURES.map((texture): [string, [Action, string][]] => [`texture ${texture}`, [["texture", texture]]]),
  [
    "recolor, texture and tone together",
    [
      ["recolor", "red_a"],
      ["texture", "wood"],
      ["tone", "matte"],
    ],
  ],
];

describe("pixel kernels", () => {
  it("the WebAssembly SIMD kernel builds from apply.wat and is the one applyRule uses", () => {
    expect(wasmKernelError).toBeNull();
    expect(PIXEL_KERNEL).toBe("wasm-simd");
  });

  it.each(rules)("WebAssembly and JS kernels agree byte for byte on a generated scene: %s", (_, actions) => {
    const concepts = ["Wall", "Floor", "Door"];
    const edits = actions.map(([action, value], i): ConceptEdit => ({
      concept: concepts[i]!,
      action,
      value,
      mask: truthUnion(scene, concepts[i]!),
    }));
    const { js, wasm } = bothKernels(scene.image, edits, truthUnion(scene, "Frame_Molding"));
    expect(changedPixels(scene.image.data, js).length).toBeGreaterThan(0);
    expect(changedPixels(js, wasm)).toEqual([]);
  });

  it.each(rules)("WebAssembly and JS kernels agree byte for byte on noise in short striped runs: %s", (_, actions) => {
    const image = noiseImage(333, 47);
    const masks = stripes(image.width, image.height, actions.length);
    const edits = actions.map(([action, value], i): ConceptEdit => ({
      concept: `c${i}`,
      action,
      value,
      mask: masks[i]!,
    }));
    const { js, wasm } = bothKernels(image, edits, null);
    expect(changedPixels(js, wasm)).toEqual([]);
  });

  it("applyRuleReusing gives applyRule's bytes, photo after photo in one reused kernel memory", () => {
    // Rules in turn leave different owners and alphas behind: the reused memory must start clean each time.
    for (const [, actions] of [...rules, ...rules.slice(0, 2)]) {
      const concepts = ["Wall", "Floor", "Door"];
      const edits = actions.map(([action, value], i): ConceptEdit => ({
        concept: concepts[i]!,
        action,
        value,
        mask: truthUnion(scene, concepts[i]!),
      }));
      const input = { image: scene.image, edits, protect: truthUnion(scene, "Grout"), watermark: true };
      const fresh = applyRule(input);
      const reused = applyRuleReusing(input);
      expect(changedPixels(fresh, reused.pixels)).toEqual([]);
      reused.release();
    }
    const first = applyRuleReusing({ image: scene.image, edits: [], protect: null, watermark: false });
    expect(changedPixels(first.pixels, scene.image.data)).toEqual([]);
  });

  it("the JS kernel gives the same bytes when the photo does not start on a 4-byte boundary", () => {
    const backing = new Uint8Array(width * height * 3 + 1);
    backing.set(scene.image.data, 1);
    const shifted: RgbImage = { width, height, data: backing.subarray(1) };
    const edits: ConceptEdit[] = [
      { concept: "Wall", action: "recolor", value: "sage_a", mask: truthUnion(scene, "Wall") },
      { concept: "Floor", action: "texture", value: "marble", mask: truthUnion(scene, "Floor") },
      { concept: "Door", action: "tone", value: "warm", mask: truthUnion(scene, "Door") },
    ];
    const owner = ownerMap(width, height, edits, null);
    const alpha = featherAlpha(owner, width, height);
    const compiled = compileEdits(scene.image, owner, edits);
    const aligned = scene.image.data.slice(),
      unaligned = backing.slice().subarray(1);
    applyKernelJs(scene.image, owner, alpha, compiled, aligned);
    applyKernelJs(shifted, owner, alpha, compiled, unaligned);
    expect(changedPixels(aligned, unaligned)).toEqual([]);
    expect(changedPixels(applyRule({ image: scene.image, edits, protect: null, watermark: false }), aligned)).toEqual(
      [],
    );
  });
});
