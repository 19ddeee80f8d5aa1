import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { hexToRgb } from "@s3/contract";
import { createMaskCache } from "../../../src/engine/mask-cache";
import { createSegmentStep } from "../../../src/engine/segment-step";
import { createCpuSegmenter } from "../../../src/engine/segmenter/cpu";
import { fullMask } from "../../../src/engine/segmenter/masks";
import type { Segmenter } from "../../../src/engine/segmenter/types";
import type { Storage } from "../../../src/engine/storage";
import { flatImage, rectMask } from "../../helpers/pixels";

const WALL = hexToRgb("#d6bf98");
const CABINET = hexToRgb("#1f5a3a");
const [W, H] = [120, 80];

/** A wall with two cabinet doors side by side, [20, 60) and [60, 100) × [20, 70): one colour, touching. */
const twoDoors = flatImage(W, H, (x, y) => (y >= 20 && y < 70 && x >= 20 && x < 100 ? CABINET : WALL));

async function cabinets(image = twoDoors, hints?: Parameters<Awaited<ReturnType<Segmenter["forJob"]>>["segment"]>[1]) {
  const job = await createCpuSegmenter().forJob(["Wall", "Cabinet"]);
  return (await job.segment(image, hints)).get("Cabinet")!;
}

describe("cpu stand-in with hints", () => {
  it("by colour alone, two touching doors of one colour are one instance", async () => {
    const found = await cabinets();
    expect(found).toHaveLength(1);
    expect(found[0]!.bbox).toEqual([20, 20, 80, 50]);
  });

  it("a box per door splits them: each instance is grown inside its box only", async () => {
    const found = await cabinets(twoDoors, {
      Cabinet: {
        boxes: [
          [20, 20, 60, 70],
          [60, 20, 100, 70],
        ],
      },
    });
    expect(found.map((instance) => [instance.bbox, instance.area])).toEqual([
      [[20, 20, 40, 50], 2000],
      [[60, 20, 40, 50], 2000],
    ]);
    expect(fullMask(found[0]!, W, H)).toEqual(rectMask(W, H, 20, 20, 60, 70));
  });

  it("a box wider than its door stops at the colour's edge", async () => {
    const [door] = await cabinets(twoDoors, { Cabinet: { boxes: [[10, 10, 60, 75]] } });
    expect(door!.bbox).toEqual([20, 20, 40, 50]);
  });

  it("an include point finds a concept far from its reference colour; an exclude point cuts a part out", async () => {
    const purple: [number, number, number] = [128, 48, 128];
    const odd = flatImage(W, H, (x, y) =>
      y >= 20 && y < 70 && x >= 20 && x < 100 ? (x >= 90 ? CABINET : purple) : WALL,
    );
    expect(await cabinets(odd)).toEqual([
      expect.objectContaining({ bbox: [90, 20, 10, 50] }), // only the true-colour strip
    ]);
    const [grown] = await cabinets(odd, { Cabinet: { points: [[40, 40, 1]] } });
    expect(grown!.bbox).toEqual([20, 20, 70, 50]);
    const both = [
      [40, 40, 1],
      [95, 30, 1],
    ];
    const [joined] = await cabinets(odd, { Cabinet: { boxes: [[20, 20, 100, 70]], points: [...both] } });
    expect(joined!.bbox).toEqual([20, 20, 80, 50]);
    const [cut] = await cabinets(odd, { Cabinet: { boxes: [[20, 20, 100, 70]], points: [...both, [95, 60, 0]] } });
    expect(cut!.bbox).toEqual([20, 20, 70, 50]);
  });

  it("hints are part of the cache key: other hints miss, the same hints hit", async () => {
    const objects = new Map<string, Uint8Array>();
    const storage: Storage = {
      async get(key) {
        return objects.get(key) ?? null;
      },
      async put(key, body) {
        objects.set(key, body);
      },
    };
    const step = createSegmentStep(createCpuSegmenter(), createMaskCache(storage));
    const bytes = await sharp(twoDoors.data, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toBuffer();
    const job = step.forJob(["Wall", "Cabinet"]);
    const segment = (hints?: Parameters<typeof job.segment>[0]["hints"]) =>
      job.segment({ userId: "u_hints", bytes, image: twoDoors, ...(hints ? { hints } : {}) });
    const split = {
      Cabinet: {
        boxes: [
          [20, 20, 60, 70],
          [60, 20, 100, 70],
        ],
      },
    };
    expect((await segment()).instances.get("Cabinet")).toHaveLength(1);
    expect((await segment(split)).instances.get("Cabinet")).toHaveLength(2);
    expect(step.counts.segmenter_calls).toBe(2);
    const again = await segment(split);
    expect(again.segmented).toBe("cache");
    expect(again.instances.get("Cabinet")).toHaveLength(2);
    expect(step.counts.segmenter_calls).toBe(2);
    // The unhinted Wall was served from the cache in the hinted run: only Cabinet was segmented.
    expect(step.counts.cache_hits).toBe(1 + 2);
  });
});
