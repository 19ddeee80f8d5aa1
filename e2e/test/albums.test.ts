// Albums, through the public API only (docs/gpu-worker.md, "Mask cache"; docs/messages.md, Scan): an
// album is uploaded and segmented once, by a scan; execute and a re-run with another rule reuse the
// masks, so the real GPU-worker container's segmenter runs for the scan alone (its /health counts).
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { CopiedJob, Job, ScanAnswer } from "@s3/contract";
import { interiorScene } from "@s3/contract/testing";
import { ApiClient, eachLimited, getPresigned, putPresigned } from "@s3/scripts/client";
import { GpuWorkerContainer, TestWorker } from "../src/stack.ts";

const worker = new TestWorker({ port: 8805, vars: { GPU_DISPATCH: "bridge", JOB_LEASE_SEC: "60" } });
let gpu: GpuWorkerContainer;

beforeAll(async () => {
  await worker.start();
  gpu = await new GpuWorkerContainer(worker, 8905).start();
}, 180_000);

afterAll(async () => {
  await gpu?.stop().catch(() => {});
  await worker.dispose();
});

const PHOTOS = 3;

async function album(): Promise<Uint8Array[]> {
  return Promise.all(
    Array.from({ length: PHOTOS }, async (_, seed) => {
      const { image } = interiorScene(256, 192, seed + 1);
      return new Uint8Array(
        await sharp(image.data, { raw: { width: 256, height: 192, channels: 3 } })
          .png()
          .toBuffer(),
      );
    }),
  );
}

describe("albums: scan once, render many", () => {
  it("scan → execute → re-run with another rule: the segmenter runs for the scan only", async () => {
    onTestFailed(() => console.log(`GPU worker log, last lines:\n${gpu.lines.slice(-30).join("\n")}`));
    const client = new ApiClient(worker.url);
    await client.signInAnonymously();
    const files = await album();
    const job = await client.createJob("interior", PHOTOS);
    await eachLimited(job.upload, 2, (slot) => putPresigned(slot.url, files[slot.idx]!));
    await client.confirmUpload(job.job_id);
    const before = (await gpu.health()).segmenter_calls;

    // Scan: every photo segmented once for the preset's concepts; the job stays uploaded.
    const scan = await client.call<ScanAnswer>("POST", `/jobs/${job.job_id}/scan`, {});
    expect(scan.status).toBe("uploaded");
    const scanned = await client.waitFor(job.job_id, {
      until: (current: Job) => current.scan?.status === "scanned",
      timeoutMs: 120_000,
    });
    expect(scanned.status).toBe("uploaded");
    expect(scanned.scan!.progress).toEqual({ done: PHOTOS, failed: 0, total: PHOTOS });
    for (const item of scanned.items) {
      expect(item.report).toMatchObject({ segmented: "model", segmenter: "cpu-stand-in@1" });
      expect(item.report!.concepts.Wall!.instances).toBeGreaterThan(0);
    }
    const afterScan = (await gpu.health()).segmenter_calls;
    expect(afterScan - before).toBe(PHOTOS);

    // Execute: every concept of the rule was scanned, so no segmentation runs.
    const rule = {
      Wall: { action: "recolor", value: "sage_a" },
      Floor: { action: "recolor", value: "oak_a" },
    } as const;
    await client.call("POST", `/jobs/${job.job_id}/execute`, {
      concepts: rule,
      protect: ["Grout"],
      output_format: "jpeg",
    });
    const done = await client.waitFor(job.job_id, { timeoutMs: 120_000 });
    expect(done.progress).toMatchObject({ done: PHOTOS, failed: 0, total: PHOTOS });
    expect(done.items.map((item) => item.report?.segmented)).toEqual(Array(PHOTOS).fill("cache"));
    const result = await sharp(await getPresigned(done.outputs_ready[0]!.result_url)).metadata();
    expect([result.format, result.width, result.height]).toEqual(["jpeg", 256, 192]);
    expect((await gpu.health()).segmenter_calls).toBe(afterScan);

    // Re-run with another rule: the inputs are copied, nothing uploaded, nothing segmented.
    const rerun = await client.call<CopiedJob>("POST", "/jobs", { preset: "interior", from_job: job.job_id });
    expect(rerun).toMatchObject({ status: "uploaded", from_job: job.job_id, from_items: [0, 1, 2] });
    const other = { Wall: { action: "recolor", value: "navy_a" }, Door: { action: "tone", value: "warm" } } as const;
    await client.call("POST", `/jobs/${rerun.job_id}/execute`, { concepts: other, protect: ["Grout"] });
    const again = await client.waitFor(rerun.job_id, { timeoutMs: 120_000 });
    expect(again.progress).toMatchObject({ done: PHOTOS, failed: 0, total: PHOTOS });
    expect(again.items.map((item) => item.report?.segmented)).toEqual(Array(PHOTOS).fill("cache"));
    expect((await gpu.health()).segmenter_calls).toBe(afterScan);
    const health = await gpu.health();
    expect(health.cache_hits).toBeGreaterThan(0);
  });
});
