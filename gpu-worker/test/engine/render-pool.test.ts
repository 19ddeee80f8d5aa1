// The render step off the main thread: the pool gives the inline bytes, moves buffers instead of copying
// them, keeps item error codes, and the pixel budget bounds what is in flight.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { queueItems, queueMessage, interiorScene } from "@s3/contract/testing";
import { renderItem, type RenderTask } from "../../src/engine/render-item";
import { decodeInput } from "../../src/engine/image";
import { createRenderPool, type RenderPool } from "../../src/engine/render-pool";
import { PixelBudget } from "../../src/engine/pixel-budget";
import { createSimSegmenter } from "../../src/engine/segmenter/sim";

const SIM_REPORT = createSimSegmenter({ imageMs: 0, conceptMs: 0 }).report;
const WIDTH = 320,
  HEIGHT = 240;
const scene = interiorScene(WIDTH, HEIGHT, 3);
const message = queueMessage({
  job_id: "job_pool",
  user_id: "u_pool",
  concepts: { Wall: { action: "recolor", value: "sage_a" }, Floor: { action: "texture", value: "wood" } },
  protect: ["Grout"],
  items: queueItems("u_pool", "job_pool", 1),
  watermark: true,
});

/** A fresh task: its own copy of the photo and freshly segmented (cropped) masks. */
async function task(overrides: Partial<RenderTask["message"]> = {}): Promise<RenderTask> {
  const job = await createSimSegmenter({ imageMs: 0, conceptMs: 0 }).forJob(["Wall", "Floor", "Grout"]);
  const image = { ...scene.image, data: scene.image.data.slice() };
  const instances = await job.segment(image);
  return { message: { ...message, ...overrides }, item: message.items[0]!, image, instances, segmenter: SIM_REPORT };
}

let pool: RenderPool;
beforeAll(() => {
  pool = createRenderPool(2);
});
afterAll(async () => {
  await pool.close();
});

describe("render pool", () => {
  it("decodes on a thread to the pixels decodeInput gives, and keeps INPUT_INVALID and INPUT_TOO_LARGE", async () => {
    const jpeg = await sharp(scene.image.data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .jpeg()
      .toBuffer();
    const [pooled, inline] = await Promise.all([pool.decode(jpeg, 1e8), decodeInput(jpeg, 1e8)]);
    expect([pooled.width, pooled.height]).toEqual([WIDTH, HEIGHT]);
    expect(Buffer.compare(pooled.data, inline.data)).toBe(0);
    await expect(pool.decode(new TextEncoder().encode("<svg/>"), 1e8)).rejects.toMatchObject({ code: "INPUT_INVALID" });
    await expect(pool.decode(jpeg, 100)).rejects.toMatchObject({ code: "INPUT_TOO_LARGE" });
  });

  it("gives the same files, byte for byte, as the render step on the main thread", async () => {
    const [inlineItem, pooledItem] = await Promise.all([task().then(renderItem), task().then((t) => pool.run(t))]);
    expect(pooledItem.report).toEqual(inlineItem.report);
    const [inline, pooled] = [inlineItem.files, pooledItem.files];
    expect(pooled.map((file) => [file.key, file.contentType])).toEqual(
      inline.map((file) => [file.key, file.contentType]),
    );
    pooled.forEach((file, at) => expect(Buffer.compare(file.body, inline[at]!.body), file.key).toBe(0));
    expect(pool.threads).toBe(2);
  });

  it("moves the photo and the masks to the thread: they are detached here, never copied", async () => {
    const moved = await task();
    const masks = [...moved.instances.values()].flat().map((instance) => instance.mask);
    await pool.run(moved);
    expect(moved.image.data.byteLength).toBe(0);
    expect(masks.length).toBeGreaterThan(0);
    for (const mask of masks) expect(mask.byteLength).toBe(0);
  });

  it("a failed item keeps its error code across the thread, and the thread serves the next item", async () => {
    const bad = await task({ concepts: { Floor: { action: "texture", value: "no_such_texture" } } });
    await expect(pool.run(bad)).rejects.toMatchObject({ name: "ItemError", code: "APPLY_FAILED" });
    const finished = await Promise.all([task(), task(), task()].map(async (t) => pool.run(await t)));
    expect(finished.every(({ files }) => files.length === 6)).toBe(true);
  });
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("pixel budget", () => {
  it(
    "admits photos while their pixels fit, first come first served, " + "and a photo over the whole budget alone",
    async () => {
      const budget = new PixelBudget(100);
      const admitted: string[] = [];
      const take = (name: string, pixels: number) => budget.take(pixels).then(() => admitted.push(name));
      await take("a", 60);
      const waiting = [take("b", 50), take("c", 10), take("huge", 500)];
      await settle();
      // c would fit, but b came first: a small photo never overtakes a large one.
      expect(admitted).toEqual(["a"]);
      budget.give(60);
      await settle();
      expect(admitted).toEqual(["a", "b", "c"]);
      expect(budget.pixelsInFlight).toBe(60);
      budget.give(50);
      budget.give(10);
      await Promise.all(waiting);
      expect(admitted).toEqual(["a", "b", "c", "huge"]);
      expect(budget.pixelsInFlight).toBe(500);
    },
  );
});
