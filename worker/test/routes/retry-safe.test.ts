// Retry-safe clients (docs/retries.md): Idempotency-Key on the five POSTs, repeated steps that say they
// already happened, upload URLs that can be fetched again, error details, strict bodies and CORS.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userLimiter } from "../../src/lib/durable";
import { newId } from "../../src/lib/ids";
import { requestFingerprint } from "../../src/middleware/idempotency";
import type { UserLimiter } from "../../src/durable-objects/user-limiter";
import {
  BASE,
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
  type CreatedJob,
  type TestUser,
} from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

const me = async (user: TestUser) => expectOk(await call("GET", "/me", { token: user.token }));
const jobOf = async (user: TestUser, jobId: string) =>
  expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token }));

function postJob(user: TestUser, key: string | null, json: unknown = { preset: "interior", item_count: 2 }) {
  return call<CreatedJob>("POST", "/jobs", {
    token: user.token,
    json,
    headers: key === null ? {} : { "Idempotency-Key": key },
  });
}

describe("Idempotency-Key on POST /jobs", () => {
  it("a retry whose first answer was lost gets the same job, replayed, with upload URLs presigned afresh", async () => {
    const user = await newUser();
    const first = await postJob(user, "retry-1");
    const job = expectOk(first);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    // X-Amz-Date has one-second resolution: a later presign is visibly a new one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const retry = await postJob(user, "retry-1");
    const replayed = expectOk(retry);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replayed.job_id).toBe(job.job_id);
    expect(replayed.confirm_url).toBe(job.confirm_url);
    expect(replayed.upload.map(({ idx, key }) => ({ idx, key }))).toEqual(
      job.upload.map(({ idx, key }) => ({ idx, key })),
    );
    const dateOf = (url: string) => new URL(url).searchParams.get("X-Amz-Date");
    expect(dateOf(replayed.upload[0]!.url)! > dateOf(job.upload[0]!.url)!).toBe(true);
    expect(retry.body.meta.request_id).not.toBe(first.body.meta.request_id);

    expect(await me(user)).toMatchObject({ credits: 8, active_jobs: 1 });
  });

  it("two concurrent requests with one key make one job and both answer it", async () => {
    const user = await newUser();
    await makePro(user.user_id);
    const answers = await Promise.all([postJob(user, "twin"), postJob(user, "twin")]);
    const jobs = answers.map((answer) => expectOk(answer));
    expect(jobs[0]!.job_id).toBe(jobs[1]!.job_id);
    expect(answers.map((answer) => answer.headers.get("Idempotent-Replayed")).sort()).toEqual([null, "true"].sort());
    expect(await me(user)).toMatchObject({ credits: 8, active_jobs: 1 });
    const list = expectOk(await call("GET", "/jobs", { token: user.token }));
    expect(list.jobs.map((listed: { job_id: string }) => listed.job_id)).toEqual([jobs[0]!.job_id]);
  });

  it("a retry after the first request died mid-flight (key held, credits reserved) finishes that job", async () => {
    const user = await newUser();
    const body = JSON.stringify({ preset: "interior", item_count: 3 });
    const fingerprint = await requestFingerprint("POST", "/jobs", body);
    const limiter = userLimiter(env, user.user_id);
    // What the first request did before it died: claimed the key, reserved, and nothing more.
    const start = await limiter.startIdempotent("died", fingerprint, newId("job"));
    expect(start.kind).toBe("proceed");
    const jobId = (start as { resource_id: string }).resource_id;
    expect((await limiter.reserve(jobId, 3)).ok).toBe(true);
    expect(await me(user)).toMatchObject({ credits: 7, active_jobs: 1 });
    // Its lease runs out; the retry takes the key over.
    await runInDurableObject(limiter as unknown as DurableObjectStub<UserLimiter>, (_, state) => {
      state.storage.sql.exec("UPDATE idempotency_keys SET lease_until = 0");
    });

    const retry = await call<CreatedJob>("POST", "/jobs", {
      token: user.token,
      raw: body,
      headers: { "Idempotency-Key": "died", "Content-Type": "application/json" },
    });
    expect(expectOk(retry).job_id).toBe(jobId);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await me(user)).toMatchObject({ credits: 7, active_jobs: 1 });
    expect((await jobOf(user, jobId)).status).toBe("created");
  });

  it("the same key with a different body is IDEMPOTENCY_CONFLICT and creates nothing", async () => {
    const user = await newUser();
    expectOk(await postJob(user, "changed"));
    expectError(await postJob(user, "changed", { preset: "interior", item_count: 3 }), 409, "IDEMPOTENCY_CONFLICT");
    expect(await me(user)).toMatchObject({ credits: 8, active_jobs: 1 });
  });

  it("keys are per user: another user's same key makes that user's own job", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const a = expectOk(await postJob(alice, "shared-key"));
    const b = await postJob(bob, "shared-key");
    expect(expectOk(b).job_id).not.toBe(a.job_id);
    expect(b.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("an error answer is not kept: the retry runs again once the cause is gone", async () => {
    const user = await newUser();
    const held = await createJob(user, 1);
    const refused = await postJob(user, "after-cancel");
    expectError(refused, 429, "CONCURRENCY_LIMIT");
    expectOk(await call("POST", `/jobs/${held.job_id}/cancel`, { token: user.token }));
    const retry = await postJob(user, "after-cancel");
    expect(expectOk(retry).job_id).not.toBe(held.job_id);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("a key that is not 1–255 visible ASCII characters is VALIDATION_ERROR naming the header", async () => {
    const user = await newUser();
    for (const key of ["x".repeat(256), "has space", "ключ"]) {
      const answer = await postJob(user, key);
      expectError(answer, 400, "VALIDATION_ERROR");
      expect(answer.body.error?.details).toEqual({ field: "Idempotency-Key" });
    }
    expect(await me(user)).toMatchObject({ credits: 10, active_jobs: 0 });
  });
});

describe("Idempotency-Key on the other POSTs", () => {
  it("a retried POST /rules saves one rule and takes one slot", async () => {
    const user = await newUser();
    const headers = { "Idempotency-Key": "rule-once" };
    const first = expectOk(await call("POST", "/rules", { token: user.token, json: ruleBody(), headers }));
    for (let attempt = 0; attempt < 3; attempt++) {
      const again = await call("POST", "/rules", { token: user.token, json: ruleBody(), headers });
      expect(expectOk(again).id).toBe(first.id);
      expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    }
    expect(expectOk(await call("GET", "/rules", { token: user.token }))).toHaveLength(1);
    expect((await me(user)).rule_slots).toEqual({ used: 1, max: 2 });
  });

  it("a retried cancel answers the first cancel (200, replayed); without a key it is ALREADY_CANCELED", async () => {
    const user = await newUser();
    const job = await createJob(user, 2);
    const headers = { "Idempotency-Key": "cancel-1" };
    const first = expectOk(await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token, headers }));
    const again = await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token, headers });
    expect(expectOk(again)).toEqual(first);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expectError(await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token }), 409, "ALREADY_CANCELED");
  });

  it("a confirm refused for a missing input keeps no answer: the same key confirms after the upload", async () => {
    const user = await newUser();
    const job = await createJob(user, 1);
    const headers = { "Idempotency-Key": "confirm-1" };
    expectError(
      await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token, headers }),
      400,
      "VALIDATION_ERROR",
    );
    await uploadInputs(job);
    const confirmed = await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token, headers });
    expect(expectOk(confirmed).status).toBe("uploaded");
    expect(confirmed.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("a retried execute sends one queue message; the same key on another job's execute conflicts", async () => {
    const sent = captureQueue();
    const user = await newUser();
    await makePro(user.user_id);
    const [job, other] = [await uploadedJob(user, 1), await uploadedJob(user, 1)];
    const headers = { "Idempotency-Key": "execute-1" };
    const json = { concepts: FLOOR_OAK };
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json, headers }));
    const again = await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json, headers });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(expectOk(again).status).toBe("queued");
    expectError(
      await call("POST", `/jobs/${other.job_id}/execute`, { token: user.token, json, headers }),
      409,
      "IDEMPOTENCY_CONFLICT",
    );
    expect(sent).toHaveLength(1);
  });
});

describe("a repeated step without a key says it already happened", () => {
  it("confirming an uploaded job again answers 200 uploaded; a queued one is INVALID_TRANSITION", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    const again = expectOk(await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token }));
    expect(again).toEqual({ job_id: job.job_id, status: "uploaded" });
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    expectError(
      await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token }),
      409,
      "INVALID_TRANSITION",
    );
  });

  it("executing again with the same rule answers the state and sends one message; another rule is 409", async () => {
    const sent = captureQueue();
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    const json = { concepts: { Floor: { action: "recolor", value: "oak_a" } }, protect: ["Grout"] };
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json }));
    // Key order is not a different rule.
    const reordered = { protect: ["Grout"], concepts: { Floor: { value: "oak_a", action: "recolor" } } };
    const again = expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: reordered }));
    expect(again).toEqual({ job_id: job.job_id, status: "queued" });
    expectError(
      await call("POST", `/jobs/${job.job_id}/execute`, {
        token: user.token,
        json: { concepts: { Floor: { action: "recolor", value: "walnut_a" } } },
      }),
      409,
      "INVALID_TRANSITION",
    );
    expect(sent).toHaveLength(1);
  });
});

describe("upload URLs while a job is created", () => {
  it("GET /jobs/{id} carries fresh upload URLs for every item until the upload is confirmed", async () => {
    const user = await newUser();
    const job = await createJob(user, 2);
    const created = await jobOf(user, job.job_id);
    expect(created.upload.map(({ idx, key }: { idx: number; key: string }) => ({ idx, key }))).toEqual(
      job.upload.map(({ idx, key }) => ({ idx, key })),
    );
    for (const { url, key } of created.upload as { url: string; key: string }[]) {
      expect(new URL(url).pathname).toBe(`/cdn-cgi/local/r2/s3/${env.STORAGE_BUCKET}/${key}`);
      expect(new URL(url).searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    }
    await uploadInputs(job);
    expectOk(await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token }));
    expect(await jobOf(user, job.job_id)).not.toHaveProperty("upload");
  });
});

describe("error details", () => {
  it("VALIDATION_ERROR names the offending field by its path", async () => {
    const user = await newUser();
    const answer = await call("POST", "/rules", {
      token: user.token,
      json: ruleBody({ concepts: { Floor: { action: "recolor", value: "x".repeat(65) } } }),
    });
    expectError(answer, 400, "VALIDATION_ERROR");
    expect(answer.body.error?.details).toEqual({ field: "concepts.Floor.value" });
  });

  it("CONCURRENCY_LIMIT lists the caller's active jobs and carries no Retry-After", async () => {
    const user = await newUser();
    const held = await createJob(user, 1);
    const answer = await postJob(user, null);
    expectError(answer, 429, "CONCURRENCY_LIMIT");
    expect(answer.body.error?.details).toEqual({ active_job_ids: [held.job_id] });
    expect(answer.headers.get("Retry-After")).toBeNull();
  });

  it("CREDITS_EXHAUSTED carries no Retry-After", async () => {
    const user = await newUser();
    await makePro(user.user_id);
    const answer = await postJob(user, null, { preset: "interior", item_count: 11 });
    expectError(answer, 402, "CREDITS_EXHAUSTED");
    expect(answer.headers.get("Retry-After")).toBeNull();
  });
});

describe("strict client bodies", () => {
  it("a typo in execute (outputTemplate) is VALIDATION_ERROR naming it, and nothing runs", async () => {
    const sent = captureQueue();
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    const answer = await call("POST", `/jobs/${job.job_id}/execute`, {
      token: user.token,
      json: { concepts: FLOOR_OAK, outputTemplate: "before_after" },
    });
    expectError(answer, 400, "VALIDATION_ERROR");
    expect(answer.body.error?.message).toContain("outputTemplate");
    expect(answer.body.error?.details).toEqual({ field: "outputTemplate" });
    expect(sent).toHaveLength(0);
    expect(await me(user)).toMatchObject({ credits: 9 });
    expect((await jobOf(user, job.job_id)).status).toBe("uploaded");
  });

  it("unknown fields are refused in every client body, nested ones by their path", async () => {
    const user = await newUser();
    const cases: [string, string, unknown, string][] = [
      ["POST", "/jobs", { preset: "interior", item_count: 1, webhok: {} }, "webhok"],
      ["POST", "/rules", ruleBody({ colour: "red" }), "colour"],
      ["POST", "/rules", ruleBody({ concepts: { Floor: { action: "recolor", vlaue: "oak_a" } } }), "concepts.Floor"],
    ];
    for (const [method, path, json, field] of cases) {
      const answer = await call(method, path, { token: user.token, json });
      expectError(answer, 400, "VALIDATION_ERROR");
      expect(answer.body.error?.details?.field).toContain(field);
    }
    const rule = expectOk(await call("POST", "/rules", { token: user.token, json: ruleBody() }));
    const update = await call("PUT", `/rules/${rule.id}`, { token: user.token, json: { name: "x", nmae: "y" } });
    expectError(update, 400, "VALIDATION_ERROR");
    expect(update.body.error?.details).toEqual({ field: "nmae" });
    expect(await me(user)).toMatchObject({ credits: 10, rule_slots: { used: 1, max: 2 } });
  });

  it("the GPU callback stays liberal: a field it does not know is ignored", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    const report = {
      idx: 0,
      status: "failed",
      error: "gave up",
      idempotency_key: `${job.job_id}:0:attempt1`,
      gpu_seconds: 1.5,
    };
    expectOk(await call("POST", `/jobs/${job.job_id}/callback`, { token: env.GPU_CALLBACK_SECRET, json: report }));
    expect((await jobOf(user, job.job_id)).status).toBe("failed");
  });
});

describe("CORS for retrying, polling browser clients", () => {
  it("preflights allow If-None-Match and Idempotency-Key; answers expose ETag and Idempotent-Replayed", async () => {
    const preflight = await SELF.fetch(`${BASE}/jobs`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,if-none-match,idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = preflight.headers
      .get("Access-Control-Allow-Headers")!
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(["authorization", "content-type", "if-none-match", "idempotency-key"]),
    );
    const answer = await SELF.fetch(`${BASE}/health`, { headers: { Origin: "http://localhost:3000" } });
    const exposed = answer.headers
      .get("Access-Control-Expose-Headers")!
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["etag", "retry-after", "x-request-id", "idempotent-replayed"]));
  });
});
