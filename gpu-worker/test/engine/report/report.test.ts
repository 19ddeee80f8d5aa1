// Each item's report (docs/reports.md) against the generated scenes' ground truth: instances, area,
// changed share, ΔE2000 for recolors, protect proven, and the flags a person acts on.
import { describe, expect, it } from "vitest";
import {
  itemReportSchema,
  needsReview,
  watermarkRegion,
  type ItemReport,
  type QueueMessage,
  type RgbImage,
} from "@s3/contract";
import { interiorScene, queueMessage, sellerScene, truthUnion, type Scene } from "@s3/contract/testing";
import { renderItem } from "../../../src/engine/render-item";
import { unionOf } from "../../../src/engine/concept-edits";
import { itemReport } from "../../../src/engine/report";
import { createCpuSegmenter } from "../../../src/engine/segmenter/cpu";
import type { ConceptMasks, Instance } from "../../../src/engine/segmenter/types";

const WIDTH = 320,
  HEIGHT = 240;
const cpu = createCpuSegmenter();

/** Share of the photo, in percent, of the non-zero pixels of `mask`. */
function sharePct(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v !== 0) n++;
  return (100 * n) / mask.length;
}

/** The image's top `rows` rows: a photo in which the lower concepts do not appear. */
function topRows(image: RgbImage, rows: number): RgbImage {
  return { width: image.width, height: rows, data: image.data.slice(0, image.width * rows * 3) };
}

async function reportOf(image: RgbImage, overrides: Partial<QueueMessage>): Promise<ItemReport> {
  const message = queueMessage({ watermark: false, ...overrides });
  const concepts = [...new Set([...Object.keys(message.concepts), ...message.protect])];
  const instances = await (await cpu.forJob(concepts)).segment(image);
  const photo = { ...image, data: image.data.slice() };
  const { report } = await renderItem({
    message,
    item: message.items[0]!,
    image: photo,
    instances,
    segmenter: cpu.report,
  });
  // What the GPU worker sends is what the Worker accepts.
  expect(itemReportSchema.parse(report)).toEqual(report);
  return report;
}

function expectTruth(report: ItemReport, scene: Scene, edited: string[], protect: string[]) {
  for (const concept of edited) {
    const truth = sharePct(truthUnion(scene, concept));
    const figures = report.concepts[concept]!;
    expect(figures.instances, concept).toBe(scene.truth.get(concept)!.length);
    expect(Math.abs(figures.area_pct - truth), `${concept} area`).toBeLessThanOrEqual(0.5);
    // Scene concepts do not overlap protect ones: the edit changes the whole concept.
    expect(Math.abs(figures.changed_pct - truth), `${concept} changed`).toBeLessThanOrEqual(0.5);
    expect(figures.score).toBe(1);
  }
  for (const concept of protect) {
    expect(report.protect[concept]!.instances, concept).toBe(scene.truth.get(concept)!.length);
    expect(Math.abs(report.protect[concept]!.area_pct - sharePct(truthUnion(scene, concept)))).toBeLessThanOrEqual(0.5);
  }
  expect(report.protect_changed_pixels).toBe(0);
  expect(report.protect_sha256.output).toBe(report.protect_sha256.input);
}

describe("item report", () => {
  it("equals an interior scene's ground truth: instances, area, changed share; protect held", async () => {
    const scene = interiorScene(WIDTH, HEIGHT, 4);
    const edited = ["Wall", "Door", "Floor"];
    const protect = ["Frame_Molding", "Grout", "Glass_highlight"];
    const report = await reportOf(scene.image, {
      concepts: {
        Wall: { action: "recolor", value: "sage_a" },
        Door: { action: "tone", value: "warm" },
        Floor: { action: "texture", value: "wood" },
      },
      protect,
    });
    expectTruth(report, scene, edited, protect);
    expect(report).toMatchObject({ segmented: "model", segmenter: "cpu-stand-in@1", flags: [] });
    expect(needsReview(report)).toBe(false);
    // A recolor keeps the photo's shading: its median colour matches the target at its own lightness.
    expect(report.concepts.Wall!.delta_e).toBeLessThan(2);
    expect(report.concepts.Door).not.toHaveProperty("delta_e");
    expect(report.protect_sha256.input).toMatch(/^[0-9a-f]{64}$/);
  });

  it("equals a product shot's ground truth, with label text, logo and gloss protected", async () => {
    const scene = sellerScene(WIDTH, HEIGHT, 5);
    const protect = ["Label_Text", "Logo", "Gloss"];
    const report = await reportOf(scene.image, {
      preset: "seller",
      concepts: { Body: { action: "recolor", value: "navy_a" }, Accessories: { action: "tone", value: "cool" } },
      protect,
    });
    // Body's truth is its visible pixels: the protected label, logo and gloss lie on it, outside its mask.
    expectTruth(report, scene, ["Body", "Accessories"], protect);
    expect(report.concepts.Body!.delta_e).toBeLessThan(2);
  });

  it("flags concept_not_found for an edited concept the photo lacks, and the item needs review", async () => {
    // The top of the interior: no floor, no cabinet.
    const photo = topRows(interiorScene(WIDTH, HEIGHT, 6).image, Math.round(HEIGHT * 0.4));
    const report = await reportOf(photo, {
      concepts: { Wall: { action: "recolor", value: "sage_a" }, Floor: { action: "recolor", value: "oak_a" } },
      protect: ["Frame_Molding"],
    });
    expect(report.flags).toEqual(["concept_not_found:Floor"]);
    expect(report.concepts.Floor).toEqual({ instances: 0, area_pct: 0, score: 0, changed_pct: 0 });
    expect(report.concepts.Wall!.instances).toBeGreaterThan(0);
    expect(needsReview(report)).toBe(true);
  });

  it("flags no_change for a rule that changes nothing, watermark or not", async () => {
    const scene = interiorScene(WIDTH, HEIGHT, 7);
    // Grout edited and protected at once: every pixel of the edit is taken back.
    for (const watermark of [false, true]) {
      const report = await reportOf(scene.image, {
        concepts: { Grout: { action: "recolor", value: "navy_a" } },
        protect: ["Grout"],
        watermark,
      });
      expect(report.flags).toEqual(["no_change"]);
      expect(report.concepts.Grout!.changed_pct).toBe(0);
      expect(needsReview(report)).toBe(true);
      // ΔE is of the colour the region came out, not of the target: unchanged grey grout is far from navy.
      expect(report.concepts.Grout!.delta_e).toBeGreaterThan(10);
    }
  });

  it("leaves the watermark box out of the protect hashes: the watermark over protect is no violation", async () => {
    // A protect concept that covers the whole photo, watermark box included.
    const scene = interiorScene(WIDTH, HEIGHT, 8);
    const whole: Instance = {
      concept: "Grout",
      id: 0,
      mask: new Uint8Array(WIDTH * HEIGHT).fill(255),
      bbox: [0, 0, WIDTH, HEIGHT],
      area: WIDTH * HEIGHT,
      score: 1,
    };
    const message = queueMessage({ concepts: {}, protect: ["Grout"], watermark: true });
    const image = { ...scene.image, data: scene.image.data.slice() };
    const { report } = await renderItem({
      message,
      item: message.items[0]!,
      image,
      instances: new Map([["Grout", [whole]]]),
      segmenter: cpu.report,
    });
    expect(report.protect_changed_pixels).toBe(0);
    // The hashed pixels are every pixel outside the box, in raster order.
    const box = watermarkRegion(WIDTH, HEIGHT);
    const outside = new Uint8Array((WIDTH * HEIGHT - box.width * box.height) * 3);
    let n = 0;
    for (let y = 0; y < HEIGHT; y++)
      for (let x = 0; x < WIDTH; x++) {
        if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) continue;
        outside.set(scene.image.data.subarray((y * WIDTH + x) * 3, (y * WIDTH + x) * 3 + 3), n);
        n += 3;
      }
    const { createHash } = await import("node:crypto");
    expect(report.protect_sha256.input).toBe(createHash("sha256").update(outside).digest("hex"));
  });

  it("flags low_confidence only from a segmenter that scores; one that does not reports 1", () => {
    const scene = interiorScene(64, 48, 9);
    const wall = truthUnion(scene, "Wall");
    const area = wall.filter((v) => v !== 0).length;
    const instance: Instance = { concept: "Wall", id: 0, mask: wall, bbox: [0, 0, 64, 48], area, score: 0.3 };
    const instances: ConceptMasks = new Map([["Wall", [instance]]]);
    const edits = [{ concept: "Wall", action: "tone" as const, value: "warm", mask: wall, bbox: null }];
    const output = scene.image.data.map((v, i) => (wall[Math.floor(i / 3)] ? v ^ 1 : v));
    const base = { image: scene.image, output, instances, edits, protect: new Map(), protectUnion: null };
    const scoring = itemReport({ ...base, watermark: false, segmenter: { segmenter: "sam3@test", scores: true } });
    expect(scoring.flags).toEqual(["low_confidence:Wall"]);
    expect(scoring.concepts.Wall!.score).toBe(0.3);
    const standIn = itemReport({ ...base, watermark: false, segmenter: cpu.report });
    expect(standIn.flags).toEqual([]);
    expect(standIn.concepts.Wall!.score).toBe(1);
  });

  it("counts overlapping instances' pixels once in the area", () => {
    const scene = interiorScene(40, 30, 10);
    const square = (x: number): Instance => ({
      concept: "Door",
      id: x,
      mask: new Uint8Array(100).fill(255),
      bbox: [x, 0, 10, 10],
      area: 100,
      score: 0.9,
    });
    // Two 10 × 10 squares, five columns apart: 150 pixels of union, not 200; a third one apart adds 100.
    const instances: ConceptMasks = new Map([["Door", [square(0), square(5), square(25)]]]);
    const union = unionOf(instances, "Door", 40, 30);
    const report = itemReport({
      image: scene.image,
      output: scene.image.data,
      instances,
      edits: [{ concept: "Door", action: "tone", value: "warm", ...union }],
      protect: new Map([["Door", union]]),
      protectUnion: null,
      watermark: false,
      segmenter: cpu.report,
    });
    expect(report.concepts.Door!.area_pct).toBe(Math.round((10_000 * 250) / 1200) / 100);
    expect(report.protect.Door!.area_pct).toBe(report.concepts.Door!.area_pct);
  });
});
