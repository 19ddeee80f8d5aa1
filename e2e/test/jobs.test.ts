// Whole jobs through the public API only: anonymous user → job → presigned uploads →
// confirm → execute → queue → bridge → GPU worker container → R2 → callbacks → done →
// presigned downloads. The Worker runs with short leases so redelivery takes seconds.
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { watermarkRegion, type Plan } from "@s3/contract";
import { interiorScene, truthUnion, type Scene } from "@s3/contract/testing";
import { getPresigned, unwrap, waitForJob, type ApiClient, type RuleConcepts } from "@s3/client";
import { setPlan } from "@s3/scripts/stack";
import { getJob, getMe, newUser as anonymousUser, submitJob } from "../src/api.ts";
import { GpuWorkerContainer, processedCounts, TestWorker } from "../src/stack.ts";

const worker = new TestWorker({
  port: 8797,
  // A job with no progress for 30 s is re-queued; the bridge's own leases (4 s, set on the
  // containers) bring a killed worker's message back long before that.
  vars: { GPU_DISPATCH: "bridge", JOB_LEASE_SEC: "30", JOB_RETRY_BUDGET: "3" },
});
const containers: GpuWorkerContainer[] = [];
let nextHealthPort = 8891;

async function gpuWorker(env: Record<string, string> = {}): Promise<GpuWorkerContainer> {
  const container = new GpuWorkerContainer(worker, nextHealthPort++, env);
  containers.push(container);
  return container.start();
}

const RULE: { concepts: RuleConcepts; protect: string[] } = {
  concepts: { Floor: { action: "recolor", value: "oak_a" }, Wall: { action: "recolor", value: "sage_a" } },
  protect: ["Frame_Molding", "Grout"],
};

async function png(scene: Scene): Promise<Uint8Array> {
  const { width, height, data } = scene.image;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

async function photos(count: number, width: number, height: number): Promise<{ scenes: Scene[]; files: Uint8Array[] }> {
  const scenes = Array.from({ length: count }, (_, index) => interiorScene(width, height, index + 1));
  return { scenes, files: await Promise.all(scenes.map(png)) };
}

async function newUser(plan: Plan = "free", grantCredits = 0): Promise<{ client: ApiClient; userId: string }> {
  const { api: client, userId } = await anonymousUser(worker.url);
  if (plan === "pro") await setPlan(worker.url, userId, "pro", grantCredits);
  return { client, userId };
}

/** POST /jobs, presigned PUTs, confirm, execute: the job is queued. */
const submit = (client: ApiClient, files: Uint8Array[]) => submitJob(client, "interior", files, RULE);

function billing(jobId: string): Record<string, number> {
  const rows = worker.d1<{ type: string; amount: number }>(
    `SELECT type, SUM(amount) AS amount FROM billing_events WHERE ref = '${jobId}' GROUP BY type`,
  );
  return Object.fromEntries(rows.map((row) => [row.type, row.amount]));
}

/** D1's history is written when the job settles (an outbox), so it is awaited. */
async function settledBilling(jobId: string, expectCharge: number): Promise<Record<string, number>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = billing(jobId);
    if (rows.charge === expectCharge || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

beforeAll(async () => {
  await worker.start();
});

afterEach(async () => {
  await Promise.all(containers.splice(0).map((container) => container.stop().catch(() => {})));
});

afterAll(async () => {
  await worker.dispose();
});

describe("a job through the whole stack", () => {
  it(
    "edits each concept's region, " + "leaves protect and everything else untouched, and charges each item once",
    async () => {
      await gpuWorker();
      const { client } = await newUser();
      const { scenes, files } = await photos(2, 256, 192);
      const jobId = await submit(client, files);

      const job = await waitForJob(client, jobId, { timeoutMs: 60_000 });
      expect(job.status).toBe("done");
      expect(job.progress).toEqual({ done: 2, failed: 0, total: 2, needs_review: 0 });
      expect(job.outputs_ready.map((output) => output.idx).sort()).toEqual([0, 1]);

      for (const output of job.outputs_ready) {
        const scene = scenes[output.idx]!;
        const { width, height, data: before } = scene.image;
        const decoded = await sharp(await getPresigned(output.result_url))
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([decoded.info.width, decoded.info.height]).toEqual([width, height]);
        const after = decoded.data;
        // A free user's result carries the watermark box; it is the only other change allowed.
        const box = watermarkRegion(width, height);
        const inBox = (p: number) => {
          const x = p % width,
            y = Math.floor(p / width);
          return x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        };
        const changed = (p: number) =>
          before[p * 3] !== after[p * 3] ||
          before[p * 3 + 1] !== after[p * 3 + 1] ||
          before[p * 3 + 2] !== after[p * 3 + 2];
        const protect = RULE.protect.map((concept) => truthUnion(scene, concept));
        const edited = Object.keys(RULE.concepts).map((concept) => truthUnion(scene, concept));
        for (const [at, concept] of Object.keys(RULE.concepts).entries()) {
          let inside = 0,
            changedInside = 0;
          for (let p = 0; p < width * height; p++) {
            if (!edited[at]![p] || protect.some((mask) => mask[p]) || inBox(p)) continue;
            inside++;
            if (changed(p)) changedInside++;
          }
          expect(inside, `${concept} has pixels`).toBeGreaterThan(100);
          expect(changedInside / inside, `${concept} recolored`).toBeGreaterThan(0.98);
        }
        const untouched: number[] = [];
        for (let p = 0; p < width * height; p++) {
          const isProtected = protect.some((mask) => mask[p]);
          const isEdited = edited.some((mask) => mask[p]);
          if ((isProtected || !isEdited) && !inBox(p) && changed(p)) untouched.push(p);
        }
        expect(untouched.length, "protect and unedited pixels changed").toBe(0);
      }

      const me = await getMe(client);
      expect(me.credits).toBe(10 - 2);
      expect(me.active_jobs).toBe(0);
      expect(await settledBilling(jobId, 2)).toEqual({ reserve: 2, charge: 2 });
    },
  );
});

describe("failures the queue absorbs", () => {
  it("a GPU worker SIGKILLed mid-job is replaced: the job completes, no item lost, each charged once", async () => {
    const first = await gpuWorker({ BATCH_CONCURRENCY: "1" });
    const { client } = await newUser();
    const { files } = await photos(8, 640, 480);
    const jobId = await submit(client, files);

    const midway = await waitForJob(client, jobId, { until: (job) => job.progress.done >= 2, timeoutMs: 60_000 });
    expect(midway.progress.done).toBeLessThan(8);
    await first.kill();
    const second = await gpuWorker({ BATCH_CONCURRENCY: "2" });

    const job = await waitForJob(client, jobId, { timeoutMs: 90_000 });
    expect(job.status).toBe("done");
    expect(job.progress).toEqual({ done: 8, failed: 0, total: 8, needs_review: 0 });
    expect(job.outputs_ready).toHaveLength(8);
    // The replacement did the rest: every item was finished by one container or the other.
    const processed = processedCounts(jobId, [first, second]);
    expect([...processed.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(second.itemsDone(jobId).size).toBeGreaterThan(0);

    expect((await getMe(client)).credits).toBe(10 - 8);
    expect(await settledBilling(jobId, 8)).toEqual({ reserve: 8, charge: 8 });
    const items = worker.d1<{ n: number }>(
      `SELECT COUNT(*) AS n FROM job_items_log WHERE job_id = '${jobId}' AND status = 'done'`,
    );
    expect(items[0]?.n).toBe(8);
  });

  it(
    "a job executed with no GPU worker waits in queued, " +
      "survives a restart of the Worker, and completes once one starts",
    async () => {
      const { client } = await newUser();
      const { files } = await photos(3, 256, 192);
      const jobId = await submit(client, files);

      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect((await getJob(client, jobId)).status).toBe("queued");
      // The message waits in the bridge's storage; a restarted dev stack still has it.
      await worker.restart();
      expect((await getJob(client, jobId)).status).toBe("queued");

      await gpuWorker();
      const job = await waitForJob(client, jobId, { timeoutMs: 60_000 });
      expect(job.status).toBe("done");
      expect(job.progress).toEqual({ done: 3, failed: 0, total: 3, needs_review: 0 });
      expect((await getMe(client)).credits).toBe(10 - 3);
    },
  );

  it("cancel while running: later items are not processed and every item not done is refunded", async () => {
    const gpu = await gpuWorker({ BATCH_CONCURRENCY: "1" });
    const { client } = await newUser("pro", 20);
    const before = (await getMe(client)).credits;
    const total = 12;
    const { files } = await photos(total, 640, 480);
    const jobId = await submit(client, files);

    await waitForJob(client, jobId, { until: (job) => job.progress.done >= 2, timeoutMs: 60_000 });
    const canceled = await unwrap(client.POST("/jobs/{id}/cancel", { params: { path: { id: jobId } } }));
    expect(canceled.status).toBe("canceled");
    const atCancel = await getJob(client, jobId);
    expect(atCancel.status).toBe("canceled");
    // docs/credits.md: cancel refunds every item not yet done.
    expect(canceled.refunded).toBe(total - atCancel.progress.done);

    // Give the worker time it would need for several more items, then count what it did.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const processed = gpu.itemsDone(jobId).size;
    // The item in flight at the cancel may finish; nothing after it starts.
    expect(processed).toBeLessThanOrEqual(atCancel.progress.done + 1);
    expect(gpu.lines.some((line) => line.includes(jobId) && line.includes("remaining items are skipped"))).toBe(true);
    expect((await getJob(client, jobId)).progress.done).toBe(atCancel.progress.done);
    const me = await getMe(client);
    expect(me.credits).toBe(before - atCancel.progress.done);
    expect(me.active_jobs).toBe(0);
  });

  it("a 30-item job completes with no item processed or charged twice", async () => {
    const gpu = await gpuWorker();
    const { client } = await newUser("pro", 30);
    const before = (await getMe(client)).credits;
    const { files } = await photos(30, 256, 192);
    const jobId = await submit(client, files);

    const job = await waitForJob(client, jobId, { timeoutMs: 120_000 });
    expect(job.status).toBe("done");
    expect(job.progress).toEqual({ done: 30, failed: 0, total: 30, needs_review: 0 });
    const processed = gpu.itemsDone(jobId);
    expect(processed.size).toBe(30);
    expect([...processed.values()].every((times) => times === 1)).toBe(true);

    expect((await getMe(client)).credits).toBe(before - 30);
    expect(await settledBilling(jobId, 30)).toEqual({ reserve: 30, charge: 30 });
    const items = worker.d1<{ n: number }>(
      `SELECT COUNT(*) AS n FROM job_items_log WHERE job_id = '${jobId}' AND status = 'done'`,
    );
    expect(items[0]?.n).toBe(30);
  });
});
