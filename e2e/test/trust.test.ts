// Trust boundaries through the public API only (docs/trust.md): an input replaced after confirm-upload,
// and a finished job deleted by its owner.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interiorScene } from "@s3/contract/testing";
import { getPresigned, putPresigned, unwrap, waitForJob } from "@s3/client";
import { confirmUpload, createJob, executeJob, getJob, newUser, submitJob } from "../src/api.ts";
import { GpuWorkerContainer, TestWorker } from "../src/stack.ts";

const worker = new TestWorker({ port: 8798, vars: { GPU_DISPATCH: "bridge", JOB_LEASE_SEC: "30" } });
const containers: GpuWorkerContainer[] = [];

async function photo(seed: number): Promise<Uint8Array> {
  const { width, height, data } = interiorScene(192, 128, seed).image;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

async function settledBilling(jobId: string, expectCharge: number): Promise<Record<string, number>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = worker.d1<{ type: string; amount: number }>(
      `SELECT type, SUM(amount) AS amount FROM billing_events WHERE ref = '${jobId}' GROUP BY type`,
    );
    const billing = Object.fromEntries(rows.map((row) => [row.type, row.amount]));
    if (billing.charge === expectCharge || Date.now() > deadline) return billing;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

beforeAll(async () => {
  await worker.start();
  const container = new GpuWorkerContainer(worker, 8895);
  containers.push(container);
  await container.start();
});

afterAll(async () => {
  await Promise.all(containers.splice(0).map((container) => container.stop().catch(() => {})));
  await worker.dispose();
});

describe("inputs pinned at confirm-upload", () => {
  it(
    "an input PUT again through its presigned URL after " + "confirm fails with INPUT_CHANGED and is refunded",
    async () => {
      const { api } = await newUser(worker.url);
      const files = await Promise.all([1, 2, 3].map(photo));
      // No sizes: this URL does not sign a content-length, so the replacement below is stored.
      const job = await createJob(api, "interior", 3);
      for (const slot of job.upload) await putPresigned(slot.url, files[slot.idx]!);
      await confirmUpload(api, job.job_id);
      // The attacker's move: the upload URL still works after confirm; other (larger) bytes replace input 1.
      await putPresigned(job.upload[1]!.url, await photo(9));
      await executeJob(api, job.job_id, { concepts: { Floor: { action: "recolor", value: "oak_a" } } });

      const done = await waitForJob(api, job.job_id, { timeoutMs: 90_000 });
      expect(done.status).toBe("done");
      expect(done.progress).toEqual({ done: 2, failed: 1, total: 3, needs_review: 0 });
      expect(done.outputs_ready.map((output) => output.idx).sort()).toEqual([0, 2]);
      expect(await settledBilling(job.job_id, 2)).toEqual({ reserve: 3, refund: 1, charge: 2 });
      const items = worker.d1<{ idx: number; error: string | null }>(
        `SELECT idx, error FROM job_items_log WHERE job_id = '${job.job_id}' ORDER BY idx`,
      );
      expect(items).toEqual([
        { idx: 0, error: null },
        { idx: 1, error: "INPUT_CHANGED" },
        { idx: 2, error: null },
      ]);
    },
  );
});

describe("DELETE /jobs/{id}", () => {
  it("a finished job's presigned URLs answer 404 afterwards; the job still answers, without URLs", async () => {
    const { api } = await newUser(worker.url);
    const jobId = await submitJob(api, "interior", [await photo(4)], {
      concepts: { Floor: { action: "recolor", value: "oak_a" } },
    });
    const done = await waitForJob(api, jobId, { timeoutMs: 90_000 });
    expect(done.status).toBe("done");
    const { result_url, preview_url } = done.outputs_ready[0]!;
    expect((await getPresigned(result_url)).byteLength).toBeGreaterThan(0);

    expect(await unwrap(api.DELETE("/jobs/{id}", { params: { path: { id: jobId } } }))).toEqual({ id: jobId });
    for (const url of [result_url, preview_url]) {
      const response = await fetch(url);
      await response.body?.cancel();
      expect(response.status).toBe(404);
    }
    const after = await getJob(api, jobId);
    expect(after).toMatchObject({ status: "done", progress: { done: 1, failed: 0, total: 1 }, outputs_ready: [] });
    expect((after as unknown as { deleted_at: string }).deleted_at).toEqual(expect.any(String));
  });
});
