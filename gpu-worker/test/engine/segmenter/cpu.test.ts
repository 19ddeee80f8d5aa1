import { describe, expect, it } from "vitest";
import { interiorScene, sellerScene, type Scene } from "@s3/contract/testing";
import { createCpuSegmenter } from "../../../src/engine/segmenter/cpu";
import { createSegmenter } from "../../../src/engine/segmenter/index";
import type { ConceptMasks } from "../../../src/engine/segmenter/types";
import pino from "pino";
import { fullMask } from "../../../src/engine/segmenter/masks";

function iou(a: Uint8Array, b: Uint8Array): number {
  let both = 0,
    either = 0;
  for (let p = 0; p < a.length; p++) {
    if (a[p] && b[p]) both++;
    if (a[p] || b[p]) either++;
  }
  return either === 0 ? 1 : both / either;
}

async function segment(scene: Scene, concepts = [...scene.truth.keys()]): Promise<ConceptMasks> {
  const job = await createCpuSegmenter().forJob(concepts);
  return job.segment(scene.image);
}

/** Each true instance is matched by exactly one found instance with IoU 1 (the bound: exact). */
function expectExact(scene: Scene, found: ConceptMasks) {
  for (const [concept, truth] of scene.truth) {
    const instances = found.get(concept) ?? [];
    expect(instances.length, concept).toBe(truth.length);
    const { width, height } = scene.image;
    for (const mask of truth)
      expect(Math.max(...instances.map((instance) => iou(fullMask(instance, width, height), mask))), concept).toBe(1);
  }
}

describe("cpu segmenter (the local stand-in for SAM 3)", () => {
  it.each([
    ["interior 256×192", interiorScene(256, 192, 1)],
    ["interior 200×150, other noise", interiorScene(200, 150, 9)],
    ["seller 256×192", sellerScene(256, 192, 3)],
  ])("resolves the generated %s scene exactly", async (_name, scene) => {
    expectExact(scene, await segment(scene));
  });

  it("separates instances of one concept: two doors, two handles, eight tiles", async () => {
    const found = await segment(interiorScene(), ["Door", "Handle", "Tile", "Wall"]);
    expect(found.get("Door")).toHaveLength(2);
    expect(found.get("Handle")).toHaveLength(2);
    expect(found.get("Tile")).toHaveLength(8);
    expect(found.get("Wall")).toHaveLength(1);
    expect(found.get("Door")!.map((door) => door.id)).toEqual([0, 1]);
  });

  it("is deterministic: the same photo twice gives the same instances", async () => {
    const scene = interiorScene(180, 120, 4);
    const [first, second] = [await segment(scene), await segment(scene)];
    for (const [concept, instances] of first) {
      const again = second.get(concept)!;
      expect(again.map(({ mask: _mask, ...rest }) => rest)).toEqual(instances.map(({ mask: _mask, ...rest }) => rest));
      instances.forEach((instance, i) => expect(Buffer.compare(instance.mask, again[i]!.mask)).toBe(0));
    }
  });

  it("reports bbox, area and score consistent with each mask", async () => {
    const scene = sellerScene();
    const { width, height } = scene.image;
    for (const instances of (await segment(scene)).values()) {
      for (const instance of instances) {
        expect(instance.mask).toHaveLength(instance.bbox[2] * instance.bbox[3]);
        let area = 0,
          minX = Infinity,
          minY = Infinity,
          maxX = -1,
          maxY = -1;
        fullMask(instance, width, height).forEach((v, p) => {
          if (!v) return;
          area++;
          const x = p % width,
            y = Math.floor(p / width);
          [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
        });
        expect(instance.area).toBe(area);
        expect(instance.bbox).toEqual([minX, minY, maxX - minX + 1, maxY - minY + 1]);
        expect(instance.score).toBeGreaterThan(0.5);
        expect(instance.score).toBeLessThanOrEqual(1);
      }
    }
  });

  it("answers an empty list for a concept it does not know", async () => {
    const found = await segment(interiorScene(), ["Wall", "Sofa"]);
    expect(found.get("Sofa")).toEqual([]);
    expect(found.get("Wall")).toHaveLength(1);
  });

  it("is what SEGMENTER=cpu picks, and says it is the stand-in", async () => {
    const segmenter = await createSegmenter(
      { segmenter: "cpu", modelCacheDir: "/models", onnxProvider: "cpu", sim: { imageMs: 30, conceptMs: 0 } },
      pino({ level: "silent" }),
    );
    expect(segmenter.name).toContain("stand-in for SAM 3");
  });
});
