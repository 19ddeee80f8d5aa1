// Every photo accounted for, through the public API only (docs/reports.md): each done item of a job
// carries the GPU worker's report, a photo missing a rule concept and its unchanged option are
// flagged, the job counts what needs a look, and the set manifest says the same.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ItemReport, RgbImage } from "@s3/contract";
import { sellerScene } from "@s3/contract/testing";
import { unwrap, waitForJob } from "@s3/client";
import { newUser, submitJob } from "../src/api.ts";
import { GpuWorkerContainer, TestWorker } from "../src/stack.ts";

const worker = new TestWorker({ port: 8794, vars: { GPU_DISPATCH: "bridge", JOB_LEASE_SEC: "60" } });
let gpu: GpuWorkerContainer;

async function png({ width, height, data }: RgbImage): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** The scene's left half: the bottle without the box beside it (no Accessories). */
function leftHalf({ width, height, data }: RgbImage): RgbImage {
  const half = Math.floor(width / 2);
  const out = new Uint8Array(half * height * 3);
  for (let y = 0; y < height; y++) out.set(data.subarray(y * width * 3, (y * width + half) * 3), y * half * 3);
  return { width: half, height, data: out };
}

beforeAll(async () => {
  await worker.start();
  gpu = await new GpuWorkerContainer(worker, 8897).start();
}, 180_000);

afterAll(async () => {
  await gpu?.stop().catch(() => {});
  await worker.dispose();
});

describe("item reports through the whole stack", () => {
  it("each done item says what was found and changed and that protect held; the manifest agrees", async () => {
    const { api } = await newUser(worker.url);
    const scene = sellerScene(320, 240, 3).image;
    const files = await Promise.all([png(scene), png(leftHalf(scene))]);
    // "Same" tones only the box beside the bottle: on the cropped photo, which lacks it, it changes nothing.
    // The main result is the first option's (docs/sets.md).
    const red = {
      Body: { action: "recolor", value: "red_a" },
      Accessories: { action: "tone", value: "cool" },
    } as const;
    const jobId = await submitJob(api, "seller", files, {
      concepts: red,
      protect: ["Label_Text", "Logo"],
      output_template: "option_board",
      variants: [
        { name: "Red", concepts: red },
        { name: "Same", concepts: { Accessories: { action: "tone", value: "warm" } } },
      ],
    });
    const finished = await waitForJob(api, jobId, { timeoutMs: 120_000 });
    expect(finished.progress).toEqual({ done: 2, failed: 0, total: 2, needs_review: 1 });

    const [whole, half] = finished.items;
    for (const item of [whole!, half!]) {
      expect(item.status).toBe("done");
      // A done item's report is an execute's (a scan's has no edit figures).
      const report = item.report as ItemReport;
      expect(report).toMatchObject({ segmented: "model", segmenter: "cpu-stand-in@1", protect_changed_pixels: 0 });
      expect(report.protect_sha256.output).toBe(report.protect_sha256.input);
      expect(report.protect.Logo!.instances).toBe(1);
      expect(report.concepts.Body!.instances).toBe(1);
      expect(report.concepts.Body!.changed_pct).toBeGreaterThan(10);
      expect(report.concepts.Body!.delta_e).toBeLessThan(3);
    }
    expect(whole!.report!.flags).toEqual([]);
    expect(whole!.needs_review).toBe(false);
    expect(half!.report!.flags).toEqual(["concept_not_found:Accessories", "variant_unchanged:Same"]);
    expect(half!.needs_review).toBe(true);

    const manifest = await unwrap(api.GET("/jobs/{id}/set", { params: { path: { id: jobId } } }));
    expect(manifest.items).toEqual(finished.items);
  });
});
