// Albums through the real app (docs/albums.md, Re-run, Scan, Retry; docs/storage.md, Mask cache): a job
// re-run over a finished job's photos without an upload, a scan that leaves the job uploaded, hints
// checked against the photo, a retry of the photos that need it, the results' format, and the cache
// deleted with the user's last job over the same bytes.
import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  queueMessageSchema,
  storageKeys,
  type CallbackBodyInput,
  type CopiedJob,
  type Job,
  type Me,
  type ScanAnswer,
  type SetManifest,
} from "@s3/contract";
import {
  BASE,
  call,
  captureQueue,
  expectError,
  expectOk,
  FLOOR_OAK,
  newUser,
  uploadedJob,
  type TestUser,
} from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

const SHA = "b".repeat(64);
const INPUT = { sha256: SHA, width: 400, height: 300, segmenter_version: "cpu-stand-in@1" };

const callback = (jobId: string, body: CallbackBodyInput) =>
  call("POST", `/jobs/${jobId}/callback`, { token: env.GPU_CALLBACK_SECRET, json: body });

function done(user: TestUser, jobId: string, idx: number, flags: string[] = [], format = "png" as const) {
  return {
    idx,
    status: "done" as const,
    output_key: storageKeys.output(user.user_id, jobId, idx, format),
    preview_key: storageKeys.preview(user.user_id, jobId, idx),
    idempotency_key: `${jobId}:${idx}:attempt1`,
    input: {
      ...INPUT,
      sha256: String(idx)
        .repeat(64)
        .slice(0, 64)
        .replace(/[^0-9a-f]/g, "c"),
    },
    report: {
      segmented: "model" as const,
      segmenter: "cpu-stand-in@1",
      concepts: { Floor: { instances: flags.length ? 0 : 1, area_pct: 30, score: 1, changed_pct: 29, delta_e: 1 } },
      protect: {},
      protect_changed_pixels: 0,
      protect_sha256: { input: SHA, output: SHA },
      flags,
    },
  };
}

const failed = (jobId: string, idx: number) => ({
  idx,
  status: "failed" as const,
  error_code: "SEGMENT_FAILED",
  idempotency_key: `${jobId}:${idx}:attempt1`,
});

const jobOf = async (user: TestUser, jobId: string) =>
  expectOk(await call<Job>("GET", `/jobs/${jobId}`, { token: user.token }));

const execute = (user: TestUser, jobId: string, json: object = { concepts: FLOOR_OAK, protect: ["Grout"] }) =>
  call("POST", `/jobs/${jobId}/execute`, { token: user.token, json });

/** A finished job of `items` photos: each photo's bytes are its idx repeated, then every item reported done. */
async function finishedJob(
  user: TestUser,
  items: number,
  report = (jobId: string, idx: number): object => done(user, jobId, idx),
  names?: string[],
) {
  const job = await uploadedJob(user, items, { bytes: (idx) => 10 + idx, ...(names ? { names } : {}) });
  expectOk(await execute(user, job.job_id));
  for (let idx = 0; idx < items; idx++)
    expectOk(await callback(job.job_id, report(job.job_id, idx) as CallbackBodyInput));
  return job.job_id;
}

const rerun = (user: TestUser, json: object, headers: Record<string, string> = {}) =>
  call<CopiedJob>("POST", "/jobs", { token: user.token, json: { preset: "interior", ...json }, headers });

describe("re-run", () => {
  it("copies the chosen photos into an uploaded job, pinned, and reserves credits for them", async () => {
    const user = await newUser();
    const source = await finishedJob(user, 2);
    const sent = captureQueue();
    const copied = expectOk(await rerun(user, { from_job: source, items: [1] }));
    expect(copied).toMatchObject({ status: "uploaded", from_job: source, from_items: [1] });
    const copy = await env.BUCKET.get(storageKeys.input(user.user_id, copied.job_id, 0));
    expect(new Uint8Array(await copy!.arrayBuffer())).toEqual(new Uint8Array(11).fill(7));
    const sourceInput = await env.BUCKET.head(storageKeys.input(user.user_id, source, 1));
    expect(expectOk(await call<Me>("GET", "/me", { token: user.token })).credits).toBe(10 - 2 - 1);

    expectOk(await execute(user, copied.job_id));
    expect(sent[0]!.items).toEqual([
      expect.objectContaining({ idx: 0, input_size: 11, input_etag: sourceInput!.httpEtag }),
    ]);
  });

  it("with an Idempotency-Key answers the same job again", async () => {
    const user = await newUser();
    const source = await finishedJob(user, 1);
    const headers = { "Idempotency-Key": "rerun-1" };
    const first = expectOk(await rerun(user, { from_job: source }, headers));
    const again = await rerun(user, { from_job: source }, headers);
    expect(expectOk(again).job_id).toBe(first.job_id);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
  });

  it("refuses another user's job, an unfinished or deleted one, and items outside it", async () => {
    const user = await newUser();
    const source = await finishedJob(user, 1);
    expectError(await rerun(await newUser(), { from_job: source }), 404, "JOB_NOT_FOUND");
    const outside = await rerun(user, { from_job: source, items: [1] });
    expectError(outside, 400, "VALIDATION_ERROR");
    expect(outside.body.error?.details?.field).toBe("items.0");
    expectError(await rerun(user, { from_job: source, item_count: 1 }), 400, "VALIDATION_ERROR");
    expectOk(await call("DELETE", `/jobs/${source}`, { token: user.token }));
    expectError(await rerun(user, { from_job: source }), 410, "JOB_DELETED");
    const uploaded = await uploadedJob(await newUser(), 1);
    const owner = await newUser();
    expectError(await rerun(owner, { from_job: uploaded.job_id }), 404, "JOB_NOT_FOUND");
  });

  it("refuses a job that has not finished", async () => {
    const user = await newUser();
    await makePro(user);
    const uploaded = await uploadedJob(user, 1);
    expectError(await rerun(user, { from_job: uploaded.job_id }), 409, "INVALID_TRANSITION");
  });
});

async function makePro(user: TestUser) {
  expectOk(await call("POST", `/admin/users/${user.user_id}/plan`, { token: env.ADMIN_SECRET, json: { plan: "pro" } }));
}

describe("scan", () => {
  const scanReport = (flags: string[]) => ({
    segmented: "model",
    segmenter: "cpu-stand-in@1",
    concepts: { Wall: { instances: flags.length ? 0 : 2, area_pct: flags.length ? 0 : 41, score: 1 } },
    protect: { Grout: { instances: 3, area_pct: 2 } },
    flags,
  });
  const scanDone = (jobId: string, scanId: number, idx: number, flags: string[] = []) =>
    callback(jobId, {
      idx,
      status: "done",
      scan_id: scanId,
      idempotency_key: `${jobId}:scan${scanId}:${idx}`,
      report: scanReport(flags),
      input: INPUT,
    } as CallbackBodyInput);

  it("queues a segment-only message, reports per photo while the job stays uploaded, and costs no credit", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 2);
    const sent = captureQueue();
    const scan = (json: object) => call<ScanAnswer>("POST", `/jobs/${job.job_id}/scan`, { token: user.token, json });
    const first = expectOk(await scan({ concepts: ["Wall", "Grout"] }));
    expect(first).toMatchObject({
      status: "uploaded",
      scan: { id: 1, status: "scanning", concepts: ["Wall", "Grout"] },
    });
    expect(sent[0]).toMatchObject({ concepts: {}, protect: ["Grout"], scan: { id: 1, concepts: ["Wall"] } });
    // The GPU worker parses what it pulls: a scan before any execute is still a valid message.
    expect(queueMessageSchema.safeParse(sent[0]).success).toBe(true);
    const auth = { Authorization: `Bearer ${user.token}` };
    const polled = await SELF.fetch(`${BASE}/jobs/${job.job_id}`, { headers: auth });
    await polled.arrayBuffer();

    expect(expectOk(await scanDone(job.job_id, 1, 0, ["concept_not_found:Wall"])).recorded).toBe(true);
    // A conditional poll sees the scan move although the job's status and progress stay the same.
    const changed = await SELF.fetch(`${BASE}/jobs/${job.job_id}`, {
      headers: { ...auth, "If-None-Match": polled.headers.get("ETag")! },
    });
    expect(changed.status).toBe(200);
    await changed.arrayBuffer();
    let seen = await jobOf(user, job.job_id);
    expect(seen.status).toBe("uploaded");
    expect(seen.scan).toMatchObject({ status: "scanning", progress: { done: 1, failed: 0, total: 2 } });
    expect(seen.items[0]).toMatchObject({ status: "pending", report: { flags: ["concept_not_found:Wall"] } });
    expect(seen.items[0]!.needs_review).toBe(true);
    expectOk(await scanDone(job.job_id, 1, 1));
    seen = await jobOf(user, job.job_id);
    expect(seen.scan).toMatchObject({ status: "scanned", progress: { done: 2, total: 2 } });
    expect(expectOk(await call<Me>("GET", "/me", { token: user.token })).credits).toBe(8);

    // Again with other concepts: a new scan; the old one's late reports change nothing.
    expect(expectOk(await scan({})).scan).toMatchObject({ id: 2, status: "scanning" });
    expect(sent[1]!.scan!.concepts).toContain("Floor");
    expect(expectOk(await scanDone(job.job_id, 1, 0)).recorded).toBe(false);
  });

  it("checks hints against the photo size a scan measured, and execute carries them with the format", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    const sent = captureQueue();
    expectOk(await call("POST", `/jobs/${job.job_id}/scan`, { token: user.token, json: { concepts: ["Floor"] } }));
    expectOk(await scanDone(job.job_id, 1, 0));
    const outside = await execute(user, job.job_id, {
      concepts: FLOOR_OAK,
      hints: { "0": { Floor: { boxes: [[0, 0, 401, 300]] } } },
    });
    expectError(outside, 400, "VALIDATION_ERROR");
    expect(outside.body.error?.details?.field).toBe("hints.0.Floor.boxes.0");
    const hints = { "0": { Floor: { boxes: [[0, 150, 400, 300]], points: [[200, 200, 1]] } } };
    expectOk(await execute(user, job.job_id, { concepts: FLOOR_OAK, hints, output_format: "webp" }));
    const message = sent[1]!;
    expect(message.output_format).toBe("webp");
    expect(message.items[0]).toMatchObject({
      hints: hints["0"],
      output_key: storageKeys.output(user.user_id, job.job_id, 0, "webp"),
    });
  });

  it("refuses a job that is not uploaded, malformed hints and concepts outside the preset", async () => {
    const user = await newUser();
    const created = expectOk(
      await call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: 1 } }),
    ) as { job_id: string };
    const scan = (json: object) => call("POST", `/jobs/${created.job_id}/scan`, { token: user.token, json });
    expectError(await scan({}), 409, "INVALID_TRANSITION");
    expectError(await scan({ hints: { "0": { Wall: { boxes: [[5, 5, 1, 1]] } } } }), 400, "VALIDATION_ERROR");
    expectError(await scan({ hints: { "0": { Wall: { points: [[1, 1]] } } } }), 400, "VALIDATION_ERROR");
    expectError(await scan({ concepts: ["Sky"] }), 400, "VALIDATION_ERROR");
    const other = await newUser();
    expectError(
      await call("POST", `/jobs/${created.job_id}/scan`, { token: other.token, json: {} }),
      404,
      "JOB_NOT_FOUND",
    );
  });
});

describe("retry", () => {
  it("runs the failed and needs-review photos again as a new job, for their credits only", async () => {
    const user = await newUser();
    const source = await finishedJob(user, 3, (jobId, idx) =>
      idx === 1 ? failed(jobId, idx) : done(user, jobId, idx, idx === 2 ? ["concept_not_found:Floor"] : []),
    );
    const before = expectOk(await call<Me>("GET", "/me", { token: user.token })).credits;
    const sent = captureQueue();
    const hints = { "2": { Floor: { boxes: [[0, 0, 10, 10]] } } };
    const retried = expectOk(
      await call<CopiedJob>("POST", `/jobs/${source}/retry`, { token: user.token, json: { hints } }),
    );
    expect(retried).toMatchObject({ status: "queued", from_job: source, from_items: [1, 2] });
    expect(sent[0]).toMatchObject({ concepts: FLOOR_OAK, protect: ["Grout"] });
    expect(sent[0]!.items.map((item) => item.hints ?? null)).toEqual([null, hints["2"]]);
    expect(expectOk(await call<Me>("GET", "/me", { token: user.token })).credits).toBe(before - 2);
  });

  it("keeps the source's language, so the retried photo's set captions read like the rest of its set", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    expectOk(await execute(user, job.job_id, { concepts: FLOOR_OAK, output_template: "고객공유카드", locale: "en" }));
    expectOk(await callback(job.job_id, failed(job.job_id, 0) as CallbackBodyInput));
    const sent = captureQueue();
    expectOk(await call<CopiedJob>("POST", `/jobs/${job.job_id}/retry`, { token: user.token, json: {} }));
    expect(sent[0]).toMatchObject({ output_template: "고객공유카드", locale: "en" });
  });

  it("answers NOTHING_TO_RETRY when every photo came out right; refuses hints for a photo not retried", async () => {
    const user = await newUser();
    const clean = await finishedJob(user, 1);
    expectError(await call("POST", `/jobs/${clean}/retry`, { token: user.token, json: {} }), 409, "NOTHING_TO_RETRY");
    const other = await newUser();
    const mixed = await finishedJob(other, 2, (jobId, idx) =>
      idx === 0 ? failed(jobId, idx) : done(other, jobId, idx),
    );
    const hints = { "1": { Floor: { points: [[1, 1, 1]] } } };
    const refused = await call("POST", `/jobs/${mixed}/retry`, { token: other.token, json: { hints } });
    expectError(refused, 400, "VALIDATION_ERROR");
    expect(refused.body.error?.details?.field).toBe("hints.1");
  });
});

describe("file names", () => {
  it("a re-run and a retry keep their photos' file names, which name the files in their sets", async () => {
    const user = await newUser();
    const names = ["living-room.jpg", "kitchen.png", "bath.webp"];
    const source = await finishedJob(
      user,
      3,
      (jobId, idx) => (idx === 1 ? failed(jobId, idx) : done(user, jobId, idx)),
      names,
    );
    const resultNames = async (jobId: string, count: number) => {
      expectOk(await execute(user, jobId));
      for (let idx = 0; idx < count; idx++)
        expectOk(await callback(jobId, done(user, jobId, idx) as CallbackBodyInput));
      const manifest = expectOk(await call<SetManifest>("GET", `/jobs/${jobId}/set`, { token: user.token }));
      return manifest.files.filter((file) => file.role === "result").map((file) => file.name);
    };
    const copied = expectOk(await rerun(user, { from_job: source, items: [2, 0] }));
    expect(await resultNames(copied.job_id, 2)).toEqual(["result/bath_result.png", "result/living-room_result.png"]);
    const retried = expectOk(await call<CopiedJob>("POST", `/jobs/${source}/retry`, { token: user.token, json: {} }));
    expect(retried.from_items).toEqual([1]);
    expectOk(await callback(retried.job_id, done(user, retried.job_id, 0) as CallbackBodyInput));
    const manifest = expectOk(await call<SetManifest>("GET", `/jobs/${retried.job_id}/set`, { token: user.token }));
    expect(manifest.files.map((file) => file.name)).toEqual([
      "result/kitchen_result.png",
      "preview/kitchen_preview.jpg",
    ]);
  });
});

describe("output formats", () => {
  it("name the result's key, and the manifest's content type, by the job's format", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    expectOk(await execute(user, job.job_id, { concepts: FLOOR_OAK, output_format: "jpeg" }));
    const png = done(user, job.job_id, 0);
    expectError(await callback(job.job_id, png), 400, "VALIDATION_ERROR");
    expectOk(
      await callback(job.job_id, { ...png, output_key: storageKeys.output(user.user_id, job.job_id, 0, "jpeg") }),
    );
    const manifest = expectOk(await call<SetManifest>("GET", `/jobs/${job.job_id}/set`, { token: user.token }));
    expect(manifest.files.find((file) => file.role === "result")).toMatchObject({
      content_type: "image/jpeg",
      name: "result/photo-1_result.jpg",
    });
  });
});

describe("the mask cache", () => {
  it("is deleted with the user's last job over the same bytes", async () => {
    const user = await newUser();
    const source = await finishedJob(user, 1);
    const sha = (await jobOf(user, source)) && done(user, source, 0).input.sha256;
    const cached = storageKeys.cacheObject(user.user_id, sha, "cpu-stand-in@1", "floor.json");
    await env.BUCKET.put(cached, "{}");
    const copied = expectOk(await rerun(user, { from_job: source }));
    expectOk(await call("DELETE", `/jobs/${source}`, { token: user.token }));
    expect(await env.BUCKET.head(cached)).not.toBeNull();
    expectOk(await call("POST", `/jobs/${copied.job_id}/cancel`, { token: user.token }));
    expect(await env.BUCKET.head(cached)).toBeNull();
  });
});
