// The second round of trust findings through the public API and the real GPU worker container
// (docs/trust.md): deleted means deleted, and upload size bounded at the door.
import { AwsClient } from "aws4fetch";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storageKeys } from "@s3/contract";
import { interiorScene } from "@s3/contract/testing";
import { putPresigned, unwrap, waitForJob, type ApiClient } from "@s3/client";
import { confirmUpload, createJob, executeJob, getJob, getMe, newUser } from "../src/api.ts";
import { GpuWorkerContainer, TestWorker } from "../src/stack.ts";

// Short URL and lease lifetimes, so the tombstone sweep (their longer one plus a minute) comes within the test.
const MAX_UPLOAD_BYTES = 400_000;
const worker = new TestWorker({
  port: 8800,
  vars: {
    GPU_DISPATCH: "bridge",
    JOB_LEASE_SEC: "20",
    UPLOAD_URL_TTL_SEC: "15",
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  },
});
const SWEEP_AFTER_MS = (20 + 60) * 1000;
const containers: GpuWorkerContainer[] = [];
const FLOOR_OAK = { Floor: { action: "recolor", value: "oak_a" } } as const;

async function photo(seed: number, width = 192, height = 128): Promise<Uint8Array> {
  const { data } = interiorScene(width, height, seed).image;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** The local bucket through its S3 endpoint with the dev stack's keys: what storage really holds. */
function storage() {
  const aws = new AwsClient({
    accessKeyId: worker.secrets.STORAGE_ACCESS_KEY!,
    secretAccessKey: worker.secrets.STORAGE_SECRET_KEY!,
    service: "s3",
    region: "auto",
  });
  const bucket = `${worker.url}/cdn-cgi/local/r2/s3/s3-images`;
  return {
    async keys(prefix: string): Promise<string[]> {
      const response = await aws.fetch(`${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
      const xml = await response.text();
      if (!response.ok) throw new Error(`list answered ${response.status}: ${xml.slice(0, 200)}`);
      return [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((match) => match[1]!);
    },
    async has(key: string): Promise<boolean> {
      const response = await aws.fetch(`${bucket}/${key}`, { method: "HEAD" });
      return response.ok;
    },
  };
}

const execute = (api: ApiClient, jobId: string) => executeJob(api, jobId, { concepts: FLOOR_OAK, protect: ["Grout"] });
const createInteriorJob = (api: ApiClient, count: number) => createJob(api, "interior", count);

beforeAll(async () => {
  await worker.start();
  const container = new GpuWorkerContainer(worker, 8896);
  containers.push(container);
  await container.start();
});

afterAll(async () => {
  await Promise.all(containers.splice(0).map((container) => container.stop().catch(() => {})));
  await worker.dispose();
});

describe("deleted means deleted", () => {
  it("deleted means deleted: an 8-item job canceled while running, deleted at once, keeps nothing", async () => {
    const { api, userId } = await newUser(worker.url);
    const files = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => photo(seed, 384, 256)));
    const job = await createInteriorJob(api, files.length);
    for (const slot of job.upload) await putPresigned(slot.url, files[slot.idx]!);
    await confirmUpload(api, job.job_id);
    await execute(api, job.job_id);
    await waitForJob(api, job.job_id, { until: (view) => view.progress.done >= 1, timeoutMs: 90_000 });
    await unwrap(api.POST("/jobs/{id}/cancel", { params: { path: { id: job.job_id } } }));
    await unwrap(api.DELETE("/jobs/{id}", { params: { path: { id: job.job_id } } }));
    const deletedAt = Date.now();
    // The attacker's move: the upload URL still works after DELETE (putPresigned throws on anything but 2xx).
    // A late callback of an in-flight item may delete it again at once; the sweep below must in any case.
    await putPresigned(job.upload[0]!.url, files[0]!);
    const bucket = storage();

    await new Promise((resolve) => setTimeout(resolve, SWEEP_AFTER_MS - (Date.now() - deletedAt) + 10_000));
    for (const prefix of storageKeys.jobPrefixes(userId, job.job_id)) {
      expect(await bucket.keys(prefix), prefix).toEqual([]);
    }
    const view = await getJob(api, job.job_id);
    expect(view.status).toBe("canceled");
    expect(view.outputs_ready).toEqual([]);
  }, 240_000);

  it("deleted means deleted: canceling a job that never ran deletes its inputs at once", async () => {
    const { api } = await newUser(worker.url);
    const job = await createInteriorJob(api, 2);
    for (const slot of job.upload) await putPresigned(slot.url, await photo(slot.idx + 20));
    await confirmUpload(api, job.job_id);
    const canceled = await unwrap(api.POST("/jobs/{id}/cancel", { params: { path: { id: job.job_id } } }));
    expect(canceled.refunded).toBe(2);
    const bucket = storage();
    for (const slot of job.upload) expect(await bucket.has(slot.key), slot.key).toBe(false);
    expect((await getMe(api)).credits).toBe(10);
  });
});

describe("upload size is bounded at the door", () => {
  it("upload size bounded: a URL signed for a declared size refuses any other length", async () => {
    const { api } = await newUser(worker.url);
    const files = [await photo(31), await photo(32, 256, 160)];
    const job = await unwrap(
      api.POST("/jobs", { body: { preset: "interior", item_count: 2, sizes: files.map((file) => file.length) } }),
    );
    const wrong = await fetch(job.upload[0]!.url, { method: "PUT", body: files[1] as Uint8Array<ArrayBuffer> });
    expect(wrong.status).toBe(403);
    await wrong.body?.cancel();
    const padded = new Uint8Array(files[0]!.length + 1);
    padded.set(files[0]!);
    const longer = await fetch(job.upload[0]!.url, { method: "PUT", body: padded });
    expect(longer.status).toBe(403);
    await longer.body?.cancel();
    for (const slot of job.upload) await putPresigned(slot.url, files[slot.idx]!);
    await confirmUpload(api, job.job_id);
    await execute(api, job.job_id);
    const done = await waitForJob(api, job.job_id, { timeoutMs: 90_000 });
    expect(done.status).toBe("done");
    expect(done.progress).toMatchObject({ done: 2, failed: 0, total: 2 });
  }, 120_000);

  it("upload size bounded: an input over the cap is deleted at confirm; the job stays created", async () => {
    const { api } = await newUser(worker.url);
    const job = await createInteriorJob(api, 1);
    const oversized = new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(7);
    await putPresigned(job.upload[0]!.url, oversized);
    const bucket = storage();
    expect(await bucket.has(job.upload[0]!.key)).toBe(true);
    await expect(confirmUpload(api, job.job_id)).rejects.toThrow(/VALIDATION_ERROR/);
    expect(await bucket.has(job.upload[0]!.key)).toBe(false);
    expect((await getJob(api, job.job_id)).status).toBe("created");
    await putPresigned(job.upload[0]!.url, await photo(41));
    await confirmUpload(api, job.job_id);
    await execute(api, job.job_id);
    expect((await waitForJob(api, job.job_id, { timeoutMs: 90_000 })).status).toBe("done");
  }, 120_000);
});
