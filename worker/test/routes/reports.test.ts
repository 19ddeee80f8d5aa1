// Each done item's report through the real app (docs/reports.md): stored with the item, served by
// GET /jobs/{id} and the set manifest, counted in progress.needs_review, kept in the D1 item log,
// unchanged by a redelivered callback; a PROTECT_VIOLATION item is refunded like every failed one.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  storageKeys,
  type CallbackAnswer,
  type CallbackBodyInput,
  type ItemReport,
  type Job,
  type JobPage,
  type Me,
  type SetManifest,
} from "@s3/contract";
import { call, expectOk, FLOOR_OAK, newUser, uploadedJob, type TestUser } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

const SHA_IN = "a".repeat(64);

function report(flags: string[], overrides: Partial<ItemReport> = {}): ItemReport {
  return {
    segmented: "model",
    segmenter: "cpu-stand-in@1",
    concepts: { Floor: { instances: 1, area_pct: 30.1, score: 1, changed_pct: 29.8, delta_e: 1.2 } },
    protect: { Grout: { instances: 2, area_pct: 1.5 } },
    protect_changed_pixels: 0,
    protect_sha256: { input: SHA_IN, output: SHA_IN },
    flags,
    ...overrides,
  };
}

function callback(jobId: string, body: CallbackBodyInput) {
  return call("POST", `/jobs/${jobId}/callback`, { token: env.GPU_CALLBACK_SECRET, json: body });
}

function done(user: TestUser, jobId: string, idx: number, itemReport: unknown, attempt = 1): CallbackBodyInput {
  return {
    idx,
    status: "done",
    output_key: storageKeys.output(user.user_id, jobId, idx),
    preview_key: storageKeys.preview(user.user_id, jobId, idx),
    error: null,
    idempotency_key: `${jobId}:${idx}:attempt${attempt}`,
    report: itemReport as ItemReport,
  };
}

async function runningJob(user: TestUser, items: number) {
  const job = await uploadedJob(user, items);
  expectOk(
    await call("POST", `/jobs/${job.job_id}/execute`, {
      token: user.token,
      json: { concepts: FLOOR_OAK, protect: ["Grout"] },
    }),
  );
  return job.job_id;
}

const jobOf = async (user: TestUser, jobId: string) =>
  expectOk(await call<Job>("GET", `/jobs/${jobId}`, { token: user.token }));

describe("item reports", () => {
  it("are stored with the item, served by GET /jobs/{id} and the manifest, and counted as needs_review", async () => {
    const user = await newUser();
    const jobId = await runningJob(user, 3);
    const clean = report([]);
    const missed = report(["concept_not_found:Floor"], {
      concepts: { Floor: { instances: 0, area_pct: 0, score: 0, changed_pct: 0 } },
    });
    // Fields this Worker does not know are kept (the callback is liberal).
    const unchanged = { ...report(["no_change", "variant_unchanged:Navy"]), gpu_ms: 812 };
    expectOk(await callback(jobId, done(user, jobId, 0, clean)));
    const midway = await jobOf(user, jobId);
    expect(midway.progress).toEqual({ done: 1, failed: 0, total: 3, needs_review: 0 });
    expectOk(await callback(jobId, done(user, jobId, 1, missed)));
    expectOk(await callback(jobId, done(user, jobId, 2, unchanged)));

    const finished = await jobOf(user, jobId);
    expect(finished.progress).toEqual({ done: 3, failed: 0, total: 3, needs_review: 2 });
    expect(finished.items.map((item: { report: unknown; needs_review: boolean }) => item)).toEqual([
      { idx: 0, status: "done", error: null, report: clean, needs_review: false },
      { idx: 1, status: "done", error: null, report: missed, needs_review: true },
      { idx: 2, status: "done", error: null, report: unchanged, needs_review: true },
    ]);
    const manifest = expectOk(await call<SetManifest>("GET", `/jobs/${jobId}/set`, { token: user.token }));
    expect(manifest.items).toEqual(finished.items);

    // The D1 item log keeps each item's flags.
    const { results } = await env.DB.prepare(
      "SELECT idx, flags_json, needs_review FROM job_items_log WHERE job_id = ? ORDER BY idx",
    )
      .bind(jobId)
      .all();
    expect(results).toEqual([
      { idx: 0, flags_json: "[]", needs_review: 0 },
      { idx: 1, flags_json: '["concept_not_found:Floor"]', needs_review: 1 },
      { idx: 2, flags_json: '["no_change","variant_unchanged:Navy"]', needs_review: 1 },
    ]);
    // The job list reads the count back from D1 once the job is settled.
    const list = expectOk(await call<JobPage>("GET", "/jobs", { token: user.token }));
    expect(list.jobs.find((listed) => listed.job_id === jobId)?.progress.needs_review).toBe(2);
  });

  it("GET /jobs/{id} presigns the masks of the job concepts the report found, never a name of its own", async () => {
    const user = await newUser();
    const jobId = await runningJob(user, 2);
    // Photo 0: Floor and Grout found. Photo 1: Floor missed, and a report naming concepts the job never had.
    expectOk(await callback(jobId, done(user, jobId, 0, report([]))));
    const odd = report(["concept_not_found:Floor"], {
      concepts: {
        Floor: { instances: 0, area_pct: 0, score: 0, changed_pct: 0 },
        "../../outputs/x": { instances: 3, area_pct: 5, score: 1, changed_pct: 5 },
      },
      protect: { Grout: { instances: 1, area_pct: 1 }, Tile: { instances: 4, area_pct: 9 } },
    });
    expectOk(await callback(jobId, done(user, jobId, 1, odd)));
    const job = await jobOf(user, jobId);
    const masks = job.outputs_ready.map((output) =>
      output.masks.map(({ concept, protect, url }) => ({ concept, protect, path: new URL(url).pathname })),
    );
    const at = (idx: number, concept: string) =>
      `/cdn-cgi/local/r2/s3/${env.STORAGE_BUCKET}/${storageKeys.mask(user.user_id, jobId, idx, concept)}`;
    expect(masks).toEqual([
      [
        { concept: "Floor", protect: false, path: at(0, "Floor") },
        { concept: "Grout", protect: true, path: at(0, "Grout") },
      ],
      [{ concept: "Grout", protect: true, path: at(1, "Grout") }],
    ]);
    for (const output of job.outputs_ready)
      for (const mask of output.masks)
        expect(new URL(mask.url).searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("survive a redelivered callback unchanged: same key or a later attempt, another report", async () => {
    const user = await newUser();
    const jobId = await runningJob(user, 2);
    const first = report(["concept_not_found:Floor"]);
    expectOk(await callback(jobId, done(user, jobId, 0, first)));
    const again = expectOk(await callback(jobId, done(user, jobId, 0, report([]))));
    const later = expectOk(await callback(jobId, done(user, jobId, 0, report(["no_change"]), 2)));
    expect([again, later].map((answer) => (answer as CallbackAnswer).recorded)).toEqual([false, false]);
    const job = await jobOf(user, jobId);
    expect(job.items[0]?.report).toEqual(first);
    expect(job.progress.needs_review).toBe(1);
  });

  it("a report that fails its schema is dropped, never refused: the item is still done", async () => {
    const user = await newUser();
    const jobId = await runningJob(user, 1);
    const broken = { ...report([]), protect_changed_pixels: -1 };
    expect(expectOk(await callback(jobId, done(user, jobId, 0, broken)))).toMatchObject({ recorded: true });
    const job = await jobOf(user, jobId);
    expect(job.items[0]).toMatchObject({ status: "done", report: null, needs_review: false });
  });

  it("an item failed with PROTECT_VIOLATION says why and is refunded", async () => {
    const user = await newUser();
    const jobId = await runningJob(user, 2);
    expectOk(await callback(jobId, done(user, jobId, 0, report([]))));
    expectOk(
      await callback(jobId, {
        idx: 1,
        status: "failed",
        output_key: null,
        preview_key: null,
        error: "1 protect pixels changed",
        error_code: "PROTECT_VIOLATION",
      }),
    );
    const job = await jobOf(user, jobId);
    expect(job.items[1]).toMatchObject({
      status: "failed",
      error: { code: "PROTECT_VIOLATION", message: expect.stringMatching(/protected area/) },
      report: null,
    });
    // 10 credits, 2 reserved, the failed one given back.
    expect(expectOk(await call<Me>("GET", "/me", { token: user.token })).credits).toBe(9);
  });
});
