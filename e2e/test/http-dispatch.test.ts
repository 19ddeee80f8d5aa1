// GPU_DISPATCH=http, for self-hosted GPU servers: the Worker's queue consumer posts each
// message to a GPU worker's http adapter instead of leaving it in the bridge.
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { interiorScene } from "@s3/contract/testing";
import { getPresigned, waitForJob } from "@s3/client";
import { newUser, submitJob } from "../src/api.ts";
import { GpuWorkerContainer, TestWorker } from "../src/stack.ts";

const GPU_HTTP_PORT = 8881;
const worker = new TestWorker({
  port: 8796,
  vars: { GPU_DISPATCH: "http", GPU_HTTP_URL: `http://127.0.0.1:${GPU_HTTP_PORT}` },
});
let gpu: GpuWorkerContainer;

beforeAll(async () => {
  await worker.start();
  gpu = await new GpuWorkerContainer(worker, GPU_HTTP_PORT, { ADAPTER: "http" }).start();
});

afterAll(async () => {
  await gpu?.stop().catch(() => {});
  await worker.dispose();
});

it(
  "GPU_DISPATCH=http: the queue consumer posts the job to " + "the GPU worker's http adapter and the job completes",
  async () => {
    const { api } = await newUser(worker.url);
    const { image } = interiorScene(256, 192, 7);
    const file = new Uint8Array(
      await sharp(image.data, { raw: { width: 256, height: 192, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const jobId = await submitJob(api, "interior", [file], {
      concepts: { Floor: { action: "recolor", value: "walnut_a" } },
      protect: ["Grout"],
    });

    const done = await waitForJob(api, jobId, { timeoutMs: 60_000 });
    expect(done.status).toBe("done");
    expect(done.progress).toEqual({ done: 1, failed: 0, total: 1, needs_review: 0 });
    const result = await sharp(await getPresigned(done.outputs_ready[0]!.result_url)).metadata();
    expect([result.width, result.height]).toEqual([256, 192]);
    expect(gpu.itemsDone(jobId).get(0)).toBe(1);
    expect(gpu.lines.some((line) => line.includes("http adapter listening"))).toBe(true);
  },
);
