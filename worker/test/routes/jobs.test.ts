// Jobs through the real app (docs/state-machine.md, docs/messages.md): presigned uploads, the state machine,
// the queue message, callbacks, refunds, races and ownership.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ITEM_ERROR_MESSAGES, storageKeys, type CallbackBody, type CallbackBodyInput } from "@s3/contract";
import { queueItems } from "@s3/contract/testing";
import { app } from "../../src/app";
import { jobCoordinator } from "../../src/lib/durable";
import { newId } from "../../src/lib/ids";
import {
  call,
  captureQueue,
  createJob,
  expectError,
  expectOk,
  FLOOR_OAK,
  makePro,
  newUser,
  ruleBody,
  uploadInputs,
  uploadedJob,
  type TestUser,
} from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

function callback(jobId: string, body: Partial<CallbackBodyInput> & { idx: number }, secret = env.GPU_CALLBACK_SECRET) {
  return call("POST", `/jobs/${jobId}/callback`, { token: secret, json: body });
}

function doneReport(userId: string, jobId: string, idx: number, attempt = 1): CallbackBody {
  return {
    idx,
    status: "done",
    output_key: storageKeys.output(userId, jobId, idx),
    preview_key: storageKeys.preview(userId, jobId, idx),
    error: null,
    idempotency_key: `${jobId}:${idx}:attempt${attempt}`,
  };
}

function failedReport(jobId: string, idx: number): CallbackBody {
  return {
    idx,
    status: "failed",
    output_key: null,
    preview_key: null,
    error: "the segmenter gave up",
    error_code: "SEGMENT_FAILED",
    idempotency_key: `${jobId}:${idx}:attempt1`,
  };
}

const me = async (user: TestUser) => expectOk(await call("GET", "/me", { token: user.token }));
const jobOf = async (user: TestUser, jobId: string) =>
  expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token }));

describe("a whole job through the API", () => {
  it("goes anon → create → upload → confirm → execute → callbacks → done, charging only the items done", async () => {
    const sent = captureQueue();
    const user = await newUser();
    const job = await createJob(user, 3);

    expect(job.job_id).toMatch(/^job_[a-z2-7]{26}$/);
    expect(job.confirm_url).toBe(`${env.PUBLIC_BASE_URL}/jobs/${job.job_id}/confirm-upload`);
    expect(job.upload.map(({ idx, key }) => ({ idx, key }))).toEqual(
      [0, 1, 2].map((idx) => ({ idx, key: storageKeys.input(user.user_id, job.job_id, idx) })),
    );
    for (const { url, key } of job.upload) {
      const parsed = new URL(url);
      expect(`${parsed.origin}${parsed.pathname}`).toBe(`${env.STORAGE_S3_ENDPOINT}/${env.STORAGE_BUCKET}/${key}`);
      expect(parsed.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
      expect(parsed.searchParams.get("X-Amz-Credential")).toMatch(
        new RegExp(`^${env.STORAGE_ACCESS_KEY}/\\d{8}/auto/s3/aws4_request$`),
      );
      expect(parsed.searchParams.get("X-Amz-Expires")).toBe(env.UPLOAD_URL_TTL_SEC);
      expect(parsed.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
      expect(parsed.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await me(user)).toMatchObject({ credits: 7, active_jobs: 1 });
    expect(await jobOf(user, job.job_id)).toEqual({
      job_id: job.job_id,
      status: "created",
      preset: "interior",
      progress: { done: 0, failed: 0, total: 3, needs_review: 0 },
      outputs_ready: [],
      items: [0, 1, 2].map((idx) => ({ idx, status: "pending", error: null, report: null, needs_review: false })),
      upload: job.upload.map(({ idx, key }) => ({ idx, key, url: expect.stringContaining(key) })),
    });

    await uploadInputs(job);
    expect(expectOk(await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token }))).toEqual({
      job_id: job.job_id,
      status: "uploaded",
    });

    const executed = await call("POST", `/jobs/${job.job_id}/execute`, {
      token: user.token,
      json: { concepts: FLOOR_OAK, protect: ["Grout", "Grout", "Frame_Molding"], output_template: "전후비교" },
    });
    expect(expectOk(executed)).toEqual({ job_id: job.job_id, status: "queued" });
    expect(sent).toEqual([
      {
        job_id: job.job_id,
        user_id: user.user_id,
        preset: "interior",
        concepts: FLOOR_OAK,
        protect: ["Grout", "Frame_Molding"],
        // Pinned at confirm-upload (docs/trust.md): 16 bytes each, R2's quoted ETag.
        items: queueItems(user.user_id, job.job_id, 3).map((item) => ({
          ...item,
          input_size: 16,
          input_etag: expect.stringMatching(/^"[0-9a-f]+"$/),
        })),
        callback_url: `${env.PUBLIC_BASE_URL}/jobs/${job.job_id}/callback`,
        idempotency_prefix: job.job_id,
        batch_concurrency: 4,
        output_template: "전후비교",
        watermark: true,
        locale: "ko",
        attempt: 1,
        output_format: "png",
      },
    ]);

    const first = expectOk(await callback(job.job_id, doneReport(user.user_id, job.job_id, 0)));
    expect(first).toEqual({ job_id: job.job_id, status: "running", recorded: true });
    expect(expectOk(await callback(job.job_id, doneReport(user.user_id, job.job_id, 0))).recorded).toBe(false);
    expectOk(await callback(job.job_id, failedReport(job.job_id, 1)));
    const last = expectOk(await callback(job.job_id, doneReport(user.user_id, job.job_id, 2)));
    expect(last).toEqual({ job_id: job.job_id, status: "done", recorded: true });

    const finished = await jobOf(user, job.job_id);
    expect(finished).toMatchObject({ status: "done", progress: { done: 2, failed: 1, total: 3, needs_review: 0 } });
    expect(finished.outputs_ready.map((output: { idx: number }) => output.idx)).toEqual([0, 2]);
    // A failed photo says why in plain words; the GPU worker's free text is never shown.
    expect(finished.items).toEqual([
      { idx: 0, status: "done", error: null, report: null, needs_review: false },
      {
        idx: 1,
        status: "failed",
        error: { code: "SEGMENT_FAILED", message: ITEM_ERROR_MESSAGES.SEGMENT_FAILED },
        report: null,
        needs_review: false,
      },
      { idx: 2, status: "done", error: null, report: null, needs_review: false },
    ]);
    for (const output of finished.outputs_ready as { idx: number; result_url: string; preview_url: string }[]) {
      const result = new URL(output.result_url);
      expect(result.pathname).toBe(
        `/cdn-cgi/local/r2/s3/${env.STORAGE_BUCKET}/${storageKeys.output(user.user_id, job.job_id, output.idx)}`,
      );
      expect(result.searchParams.get("X-Amz-Expires")).toBe(env.DOWNLOAD_URL_TTL_SEC);
      expect(result.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      expect(new URL(output.preview_url).pathname).toContain(storageKeys.preview(user.user_id, job.job_id, output.idx));
    }
    // With no report to say what was found, every rule and protect concept's mask is offered.
    expect(
      finished.outputs_ready.map((output: { masks: { concept: string; protect: boolean }[] }) =>
        output.masks.map(({ concept, protect }) => [concept, protect]),
      ),
    ).toEqual([
      [
        ["Floor", false],
        ["Grout", true],
        ["Frame_Molding", true],
      ],
      [
        ["Floor", false],
        ["Grout", true],
        ["Frame_Molding", true],
      ],
    ]);
    // 10 − 3 reserved + 1 refunded for the failed item.
    expect(await me(user)).toMatchObject({ credits: 8, active_jobs: 0 });
  });

  it("executes a saved rule in place of the inline concepts", async () => {
    const sent = captureQueue();
    const user = await newUser();
    const rule = expectOk(
      await call("POST", "/rules", {
        token: user.token,
        json: ruleBody({ concepts: { Wall: { action: "tone", value: "warm" } }, protect: ["Grout"] }),
      }),
    );
    const job = await uploadedJob(user, 1);
    expectOk(
      await call("POST", `/jobs/${job.job_id}/execute`, {
        token: user.token,
        json: { rule_id: rule.id, concepts: FLOOR_OAK },
      }),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      concepts: { Wall: { action: "tone", value: "warm" } },
      protect: ["Grout"],
      watermark: true,
    });
    expect(sent[0]!.output_template).toBeUndefined();
  });

  it("a pro user's job carries no watermark", async () => {
    const sent = captureQueue();
    const user = await newUser();
    await makePro(user.user_id);
    const job = await uploadedJob(user, 1);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    expect(sent[0]?.watermark).toBe(false);
  });
});

describe("POST /jobs", () => {
  it("an unknown preset is VALIDATION_ERROR and reserves nothing", async () => {
    const user = await newUser();
    expectError(
      await call("POST", "/jobs", { token: user.token, json: { preset: "profile", item_count: 1 } }),
      400,
      "VALIDATION_ERROR",
    );
    expect(await me(user)).toMatchObject({ credits: 10, active_jobs: 0 });
  });

  it("item_count outside 1..plan maximum is VALIDATION_ERROR (free 10, pro 200)", async () => {
    const free = await newUser();
    for (const item_count of [0, 11, 201]) {
      expectError(
        await call("POST", "/jobs", { token: free.token, json: { preset: "interior", item_count } }),
        400,
        "VALIDATION_ERROR",
      );
    }
    expect(await me(free)).toMatchObject({ credits: 10, active_jobs: 0 });
    const pro = await newUser();
    await makePro(pro.user_id, 500);
    expect((await createJob(pro, 200)).upload).toHaveLength(200);
  });

  it("more items than credits is CREDITS_EXHAUSTED", async () => {
    const user = await newUser();
    await makePro(user.user_id);
    await createJob(user, 8);
    expectError(
      await call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: 3 } }),
      402,
      "CREDITS_EXHAUSTED",
    );
    expect(await me(user)).toMatchObject({ credits: 2, active_jobs: 1 });
  });

  it("a second job while a free user's one slot is busy is CONCURRENCY_LIMIT", async () => {
    const user = await newUser();
    await createJob(user, 1);
    expectError(
      await call("POST", "/jobs", { token: user.token, json: { preset: "seller", item_count: 1 } }),
      429,
      "CONCURRENCY_LIMIT",
    );
  });

  it("10 parallel POST /jobs from one free user: exactly one succeeds and credits are exact", async () => {
    const user = await newUser();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: 2 } }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const refused of answers.filter((answer) => answer.status !== 200))
      expectError(refused, 429, "CONCURRENCY_LIMIT");
    expect(await me(user)).toMatchObject({ credits: 8, active_jobs: 1 });
    const reserves = await env.DB.prepare(
      "SELECT COUNT(*) AS n, SUM(amount) AS total FROM billing_events WHERE user_id = ? AND type = 'reserve'",
    )
      .bind(user.user_id)
      .first<{ n: number; total: number }>();
    expect(reserves).toEqual({ n: 1, total: 2 });
  });
});

describe("confirm-upload", () => {
  it("refuses while inputs are missing, naming them, and the job stays created", async () => {
    const user = await newUser();
    const job = await createJob(user, 3);
    await env.BUCKET.put(job.upload[1]!.key, "x");
    const answer = await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token });
    expectError(answer, 400, "VALIDATION_ERROR");
    expect(answer.body.error?.message).toContain("idx 0, 2");
    expect((await jobOf(user, job.job_id)).status).toBe("created");
  });

  it("refuses an input over MAX_UPLOAD_BYTES, naming it", async () => {
    const user = await newUser();
    const job = await createJob(user, 2);
    await env.BUCKET.put(job.upload[0]!.key, new Uint8Array(4));
    await env.BUCKET.put(job.upload[1]!.key, new Uint8Array(64));
    // The same app and bindings with a 32-byte limit, so the test needs no 25 MB object.
    const response = await app.request(
      `/jobs/${job.job_id}/confirm-upload`,
      { method: "POST", headers: { Authorization: `Bearer ${user.token}` } },
      { ...env, MAX_UPLOAD_BYTES: "32" },
    );
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 400, code: "VALIDATION_ERROR" });
    expect(body.error.message).toMatch(/over 32 bytes for idx 1\b/);
    expect((await jobOf(user, job.job_id)).status).toBe("created");
  });
});

describe("execute", () => {
  it("before the upload is confirmed is INVALID_TRANSITION", async () => {
    const user = await newUser();
    const job = await createJob(user, 1);
    expectError(
      await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }),
      409,
      "INVALID_TRANSITION",
    );
  });

  it.each([
    ["a concept outside the preset", { concepts: { Body: { action: "recolor", value: "red_a" } } }],
    ["a protect name outside the preset", { concepts: FLOOR_OAK, protect: ["Logo"] }],
    ["no concept", { concepts: {}, protect: ["Grout"] }],
    ["an output template of another preset", { concepts: FLOOR_OAK, output_template: "상품팩" }],
  ])("with %s is VALIDATION_ERROR and the job stays uploaded", async (_, json) => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    expectError(
      await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json }),
      400,
      "VALIDATION_ERROR",
    );
    expect((await jobOf(user, job.job_id)).status).toBe("uploaded");
  });

  it("with a rule of another preset is VALIDATION_ERROR", async () => {
    const user = await newUser();
    const rule = expectOk(
      await call("POST", "/rules", {
        token: user.token,
        json: { name: "red bodies", preset_id: "seller", concepts: { Body: { action: "recolor", value: "red_a" } } },
      }),
    );
    const job = await uploadedJob(user, 1);
    expectError(
      await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { rule_id: rule.id } }),
      400,
      "VALIDATION_ERROR",
    );
  });

  it("with another user's rule is RULE_NOT_FOUND", async () => {
    const [owner, user] = await Promise.all([newUser(), newUser()]);
    const rule = expectOk(await call("POST", "/rules", { token: owner.token, json: ruleBody() }));
    const job = await uploadedJob(user, 1);
    expectError(
      await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { rule_id: rule.id } }),
      404,
      "RULE_NOT_FOUND",
    );
    expect((await jobOf(user, job.job_id)).status).toBe("uploaded");
  });
});

describe("cancel", () => {
  it("refunds every item of a job not yet done and frees the slot", async () => {
    const user = await newUser();
    const job = await createJob(user, 4);
    expect(expectOk(await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token }))).toEqual({
      job_id: job.job_id,
      status: "canceled",
      refunded: 4,
    });
    expect(await me(user)).toMatchObject({ credits: 10, active_jobs: 0 });
    await createJob(user, 1);
  });

  it("cancel or execute on a canceled job is ALREADY_CANCELED", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    expectOk(await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token }));
    expectError(await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token }), 409, "ALREADY_CANCELED");
    expectError(
      await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }),
      409,
      "ALREADY_CANCELED",
    );
    expect(await me(user)).toMatchObject({ credits: 10, active_jobs: 0 });
  });

  it("a running job refunds only the items not done", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 3);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    expectOk(await callback(job.job_id, doneReport(user.user_id, job.job_id, 0)));
    expect(expectOk(await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token })).refunded).toBe(2);
    expect(await me(user)).toMatchObject({ credits: 9, active_jobs: 0 });
    // A late callback for a canceled job is accepted and ignored.
    expect(expectOk(await callback(job.job_id, doneReport(user.user_id, job.job_id, 1))).recorded).toBe(false);
  });
});

describe("ownership", () => {
  it("another user's job answers JOB_NOT_FOUND everywhere and stays untouched", async () => {
    const [owner, stranger] = await Promise.all([newUser(), newUser()]);
    const job = await createJob(owner, 2);
    await uploadInputs(job);
    const id = job.job_id;
    expectError(await call("GET", `/jobs/${id}`, { token: stranger.token }), 404, "JOB_NOT_FOUND");
    expectError(await call("POST", `/jobs/${id}/confirm-upload`, { token: stranger.token }), 404, "JOB_NOT_FOUND");
    expectError(
      await call("POST", `/jobs/${id}/execute`, { token: stranger.token, json: { concepts: FLOOR_OAK } }),
      404,
      "JOB_NOT_FOUND",
    );
    expectError(await call("POST", `/jobs/${id}/cancel`, { token: stranger.token }), 404, "JOB_NOT_FOUND");
    expect((await jobOf(owner, id)).status).toBe("created");
    expect(await me(owner)).toMatchObject({ credits: 8, active_jobs: 1 });
    expect(await me(stranger)).toMatchObject({ credits: 10, active_jobs: 0 });
  });

  it("a job id that was never issued answers JOB_NOT_FOUND", async () => {
    const user = await newUser();
    expectError(await call("GET", `/jobs/${newId("job")}`, { token: user.token }), 404, "JOB_NOT_FOUND");
    expectError(await call("GET", "/jobs/job_123", { token: user.token }), 404, "JOB_NOT_FOUND");
  });

  it("without a token every job route is AUTH_REQUIRED", async () => {
    expectError(await call("POST", "/jobs", { json: { preset: "interior", item_count: 1 } }), 401, "AUTH_REQUIRED");
    expectError(await call("GET", `/jobs/${newId("job")}`), 401, "AUTH_REQUIRED");
  });
});

describe("callback", () => {
  it("without the GPU secret, or with a wrong one, is CALLBACK_UNAUTHORIZED and records nothing", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    const report = doneReport(user.user_id, job.job_id, 0);
    expectError(await call("POST", `/jobs/${job.job_id}/callback`, { json: report }), 403, "CALLBACK_UNAUTHORIZED");
    expectError(await callback(job.job_id, report, "wrong-secret"), 403, "CALLBACK_UNAUTHORIZED");
    expectError(await callback(job.job_id, report, user.token), 403, "CALLBACK_UNAUTHORIZED");
    expect((await jobOf(user, job.job_id)).progress).toEqual({ done: 0, failed: 0, total: 1, needs_review: 0 });
  });

  it("for an unknown job is JOB_NOT_FOUND", async () => {
    const jobId = newId("job");
    expectError(await callback(jobId, failedReport(jobId, 0)), 404, "JOB_NOT_FOUND");
  });

  it("with a body that breaks the schema or names another job's keys is VALIDATION_ERROR", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    expectError(
      await callback(job.job_id, { ...doneReport(user.user_id, job.job_id, 0), output_key: null }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(
      await callback(job.job_id, {
        ...doneReport(user.user_id, job.job_id, 0),
        output_key: "outputs/u_x/job_y/0_result.png",
      }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(await callback(job.job_id, { idx: -1 }), 400, "VALIDATION_ERROR");
    expect((await jobOf(user, job.job_id)).progress.done).toBe(0);
  });

  it("before the job is queued is INVALID_TRANSITION", async () => {
    const user = await newUser();
    const job = await createJob(user, 1);
    expectError(await callback(job.job_id, doneReport(user.user_id, job.job_id, 0)), 409, "INVALID_TRANSITION");
  });

  it("a plain-text failed report (the seed worker's str(exception)) is recorded as GPU_ERROR", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 3);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    const plain = { idx: 0, status: "failed" as const, error: "CUDA out of memory. Tried to allocate 2.00 GiB" };
    expect(
      expectOk(await callback(job.job_id, { ...plain, idempotency_key: `${job.job_id}:0:attempt1` })),
    ).toMatchObject({ recorded: true });
    // 600 characters are cut, not refused; an unknown code, however long, is GPU_ERROR too.
    expectOk(
      await callback(job.job_id, { idx: 1, status: "failed", error: "x".repeat(600), error_code: "OOM ".repeat(100) }),
    );
    const stored = await jobCoordinator(env, job.job_id).get(user.user_id);
    expect(stored.ok && stored.job.items.slice(0, 2)).toEqual([
      expect.objectContaining({ idx: 0, status: "failed", error: "GPU_ERROR" }),
      expect.objectContaining({ idx: 1, status: "failed", error: "GPU_ERROR" }),
    ]);
  });

  it("a report without an idempotency key gets {job_id}:{idx}:attempt{n}, so its repeat changes nothing", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 2);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    const { idempotency_key: _derived, ...report } = doneReport(user.user_id, job.job_id, 0);
    expect(expectOk(await callback(job.job_id, report)).recorded).toBe(true);
    expect(expectOk(await callback(job.job_id, report)).recorded).toBe(false);
    // The derived key is the one a GPU worker of this project sends for the same delivery.
    expect(expectOk(await callback(job.job_id, doneReport(user.user_id, job.job_id, 0))).recorded).toBe(false);
    expect((await jobOf(user, job.job_id)).progress).toEqual({ done: 1, failed: 0, total: 2, needs_review: 0 });
  });

  it("every item failed: the job is failed and fully refunded", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 2);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    expectOk(await callback(job.job_id, failedReport(job.job_id, 0)));
    expect(expectOk(await callback(job.job_id, failedReport(job.job_id, 1))).status).toBe("failed");
    expect(await me(user)).toMatchObject({ credits: 10, active_jobs: 0 });
  });
});
