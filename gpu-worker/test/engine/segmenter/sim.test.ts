import { describe, expect, it } from "vitest";
import pino from "pino";
import sharp from "sharp";
import { decodeInput } from "../../../src/engine/image";
import { interiorScene, sellerScene } from "@s3/contract/testing";
import { createSegmenter } from "../../../src/engine/segmenter/index";
import { fullMask } from "../../../src/engine/segmenter/masks";
import { createSimSegmenter } from "../../../src/engine/segmenter/sim";

const WIDTH = 160,
  HEIGHT = 120;

describe("sim segmenter (a benchmark stand-in: simulated accelerator)", () => {
  it("returns the ground-truth instances of a generated interior, whatever the scene's noise seed", async () => {
    const scene = interiorScene(WIDTH, HEIGHT, 42);
    const job = await createSimSegmenter({ imageMs: 0, conceptMs: 0 }).forJob(["Door", "Tile", "Wall", "Sofa"]);
    const found = await job.segment(scene.image);

    for (const concept of ["Door", "Tile", "Wall"]) {
      const truth = scene.truth.get(concept)!;
      const instances = found.get(concept)!;
      expect(instances.map((instance) => fullMask(instance, WIDTH, HEIGHT))).toEqual(truth);
      instances.forEach((instance, id) => {
        expect(instance).toMatchObject({ concept, id, score: 1 });
        expect(instance.area).toBe(truth[id]!.filter((v) => v === 255).length);
      });
    }
    expect(found.get("Door")).toHaveLength(2);
    expect(found.get("Sofa")).toEqual([]);
  });

  it("recognises a seller scene after a JPEG round trip, with bounding boxes around each instance", async () => {
    const scene = sellerScene(WIDTH, HEIGHT, 5);
    const jpeg = await sharp(scene.image.data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer();
    const job = await createSimSegmenter({ imageMs: 0, conceptMs: 0 }).forJob(["Label_Text", "Body"]);
    const found = await job.segment(await decodeInput(jpeg, 1e8));

    expect(found.get("Label_Text")!.map((instance) => fullMask(instance, WIDTH, HEIGHT))).toEqual(
      scene.truth.get("Label_Text"),
    );
    const [x, y, w, h] = found.get("Body")![0]!.bbox;
    const mask = scene.truth.get("Body")![0]!;
    for (let p = 0; p < mask.length; p++) {
      if (!mask[p]) continue;
      const [px, py] = [p % WIDTH, Math.floor(p / WIDTH)];
      expect(px >= x && px < x + w && py >= y && py < y + h).toBe(true);
    }
  });

  it("refuses a photo that is no generated scene rather than inventing masks", async () => {
    const grey = { width: WIDTH, height: HEIGHT, data: new Uint8Array(WIDTH * HEIGHT * 3).fill(128) };
    const job = await createSimSegmenter({ imageMs: 0, conceptMs: 0 }).forJob(["Wall"]);
    await expect(job.segment(grey)).rejects.toThrow(/benchmark stand-in.*generated scenes/);
  });

  it("waits SIM_IMAGE_MS per photo plus SIM_CONCEPT_MS per concept, one photo at a time on its device", async () => {
    const segmenter = createSimSegmenter({ imageMs: 40, conceptMs: 10 });
    const scene = interiorScene(WIDTH, HEIGHT);
    segmenter.prepare("interior", WIDTH, HEIGHT);
    const job = await segmenter.forJob(["Wall", "Floor"]);

    const started = performance.now();
    await job.segment(scene.image);
    expect(performance.now() - started).toBeGreaterThanOrEqual(59);

    const concurrent = performance.now();
    await Promise.all([job.segment(scene.image), job.segment(scene.image), job.segment(scene.image)]);
    expect(performance.now() - concurrent).toBeGreaterThanOrEqual(3 * 60 - 3);
    expect(segmenter.images).toBe(4);
    expect(segmenter.busyMs).toBeGreaterThanOrEqual(4 * 60 - 4);
  });

  it("spends almost no CPU while it waits, as a GPU would leave the CPU free", async () => {
    const segmenter = createSimSegmenter({ imageMs: 300, conceptMs: 0 });
    const scene = interiorScene(WIDTH, HEIGHT);
    segmenter.prepare("interior", WIDTH, HEIGHT);
    const job = await segmenter.forJob(["Wall", "Door"]);

    const cpu = process.cpuUsage();
    const started = performance.now();
    await job.segment(scene.image);
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    expect(wallMs).toBeGreaterThanOrEqual(299);
    expect((used.user + used.system) / 1000).toBeLessThan(0.2 * wallMs);
  });

  it("in blocking mode holds its own thread for the device time, photo after photo, never the event loop", async () => {
    const segmenter = createSimSegmenter({ imageMs: 150, conceptMs: 25, mode: "blocking" });
    const scene = interiorScene(WIDTH, HEIGHT);
    segmenter.prepare("interior", WIDTH, HEIGHT);
    try {
      const job = await segmenter.forJob(["Wall", "Door"]);
      await job.segment(scene.image); // the thread starts once
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const started = performance.now();
      const [masks] = await Promise.all([job.segment(scene.image), job.segment(scene.image)]);
      const wallMs = performance.now() - started;
      clearInterval(ticker);
      // One device: two photos of 150 + 2 × 25 ms run one after the other.
      expect(wallMs).toBeGreaterThanOrEqual(2 * 200 - 4);
      // The main thread kept running its timers all along (a blocked one would tick once at the end).
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(masks.get("Wall")).toHaveLength(scene.truth.get("Wall")!.length);
      expect(segmenter.busyMs).toBe(3 * 200);
      expect(segmenter.name).toMatch(/blocking its own thread/);
    } finally {
      await segmenter.close();
    }
  });

  it("is what SEGMENTER=sim picks, named as a benchmark stand-in", async () => {
    const segmenter = await createSegmenter(
      { segmenter: "sim", modelCacheDir: "/models", onnxProvider: "cpu", sim: { imageMs: 30, conceptMs: 0 } },
      pino({ level: "silent" }),
    );
    expect(segmenter.name).toMatch(/^sim \(benchmark stand-in/);
  });
});
