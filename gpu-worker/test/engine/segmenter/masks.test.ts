// Instance masks (docs/gpu-worker.md, Memory bounds): cropped to their box, at most 64 per concept (the largest),
// within a per-item byte budget; unions are still full-size masks with their box.
import { describe, expect, it } from "vitest";
import { interiorScene, truthUnion } from "@s3/contract/testing";
import { unionOf } from "../../../src/engine/concept-edits";
import {
  covers,
  fullMask,
  limitInstances,
  MASK_BYTES_PER_PIXEL,
  MAX_INSTANCES_PER_CONCEPT,
} from "../../../src/engine/segmenter/masks";
import { createSimSegmenter } from "../../../src/engine/segmenter/sim";
import type { ConceptMasks, Instance } from "../../../src/engine/segmenter/types";

/** A square instance of side `side` at (x, y), its mask cropped to the square. */
function square(concept: string, id: number, x: number, y: number, side: number): Instance {
  return {
    concept,
    id,
    mask: new Uint8Array(side * side).fill(255),
    bbox: [x, y, side, side],
    area: side * side,
    score: 1,
  };
}

describe("cropped instance masks", () => {
  it("each mask holds only its box; unions rebuild the full-size mask and box exactly", async () => {
    const scene = interiorScene(320, 240, 5);
    const found = await (
      await createSimSegmenter({ imageMs: 0, conceptMs: 0 }).forJob(["Tile", "Wall", "Door"])
    ).segment(scene.image);
    for (const instance of [...found.values()].flat()) {
      const [x, y, w, h] = instance.bbox;
      expect(instance.mask).toHaveLength(w * h);
      expect(w * h).toBeLessThan(320 * 240);
      expect(covers(instance, x - 1, y)).toBe(false);
      expect(instance.mask.reduce((n, v) => n + (v ? 1 : 0), 0)).toBe(instance.area);
    }
    for (const concept of ["Tile", "Door"]) {
      const { mask, bbox } = unionOf(found, concept, 320, 240);
      expect(Buffer.compare(mask, truthUnion(scene, concept))).toBe(0);
      expect(bbox).not.toBeNull();
    }
    const door = found.get("Door")![0]!;
    expect(fullMask(door, 320, 240).reduce((n, v) => n + (v ? 1 : 0), 0)).toBe(door.area);
  });

  it(
    `keeps at most ${MAX_INSTANCES_PER_CONCEPT} instances per concept, ` + "the largest, with ids renumbered in order",
    () => {
      const tiles = Array.from({ length: 100 }, (_, id) =>
        square("Tile", id, (id % 10) * 20, Math.floor(id / 10) * 20, 5 + (id % 13)),
      );
      const kept = limitInstances(new Map([["Tile", tiles]]), 1000 * 1000).get("Tile")!;
      expect(kept).toHaveLength(MAX_INSTANCES_PER_CONCEPT);
      expect(kept.map((instance) => instance.id)).toEqual([...Array(MAX_INSTANCES_PER_CONCEPT).keys()]);
      const smallestKept = Math.min(...kept.map((instance) => instance.area));
      const dropped = tiles.filter((tile) => !kept.some((instance) => instance.bbox === tile.bbox));
      expect(dropped).toHaveLength(100 - MAX_INSTANCES_PER_CONCEPT);
      expect(Math.max(...dropped.map((tile) => tile.area))).toBeLessThanOrEqual(smallestKept);
      // Photo order is kept among the survivors.
      const positions = kept.map((instance) => tiles.findIndex((tile) => tile.bbox === instance.bbox));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    },
  );

  it("drops the smallest instances of the item until its masks fit the per-item budget", () => {
    const pixels = 100 * 100;
    const instances: ConceptMasks = new Map([
      ["Wall", [0, 1, 2].map((id) => square("Wall", id, 0, 0, 100))],
      ["Floor", [square("Floor", 0, 0, 0, 70)]],
      ["Door", [square("Door", 0, 0, 0, 75)]],
    ]);
    const kept = limitInstances(instances, pixels);
    const bytes = [...kept.values()].flat().reduce((n, instance) => n + instance.mask.byteLength, 0);
    // 3 × 10 000 + 4 900 + 5 625 bytes is over 4 × 10 000: the smallest (the floor) goes, whatever its concept.
    expect(bytes).toBeLessThanOrEqual(MASK_BYTES_PER_PIXEL * pixels);
    expect([...kept].map(([concept, list]) => [concept, list.length])).toEqual([
      ["Wall", 3],
      ["Floor", 0],
      ["Door", 1],
    ]);
  });
});
