// The Worker's trust boundaries (docs/trust.md), each tried as the attacker or the foreign client would.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { storageKeys } from "@s3/contract";
import worker from "../../src/index";
import { newId } from "../../src/lib/ids";
import { call, captureQueue, expectError, expectOk, FLOOR_OAK, newUser, uploadedJob } from "./helpers";

/** Inputs of distinct sizes (10 + idx bytes), so each pin can be told apart. */
const DISTINCT_SIZES = { bytes: (idx: number) => 10 + idx };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /auth/anon is limited per client IP (ANON_PER_MINUTE)", () => {
  async function signUp(ip: string, limitEnv: Env): Promise<Response> {
    const ctx = createExecutionContext();
    const headers = { "CF-Connecting-IP": ip, "X-Forwarded-For": `10.0.0.${Math.floor(Math.random() * 250)}` };
    const response = await worker.fetch(
      new Request<unknown, IncomingRequestCfProperties>("http://127.0.0.1:8787/auth/anon", { method: "POST", headers }),
      limitEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  }

  it(
    "a burst from one IP: the (limit+1)th is 429 RATE_LIMITED with Retry-After; " + "another IP still signs up",
    async () => {
      const limited = { ...env, ANON_PER_MINUTE: "3" } as Env;
      // The limit counts per minute; a burst that would straddle two minutes waits for the next one.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
      const attacker = `203.0.113.${Math.floor(Math.random() * 250)}`;
      const statuses = [];
      for (let n = 0; n < 3; n++) statuses.push((await signUp(attacker, limited)).status);
      expect(statuses).toEqual([200, 200, 200]);

      // A changing X-Forwarded-For does not make a new client.
      const refused = await signUp(attacker, limited);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get("Retry-After"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expectError(
        { status: refused.status, headers: refused.headers, body: await refused.json() },
        429,
        "RATE_LIMITED",
      );

      expect((await signUp(`198.51.100.${Math.floor(Math.random() * 250)}`, limited)).status).toBe(200);
    },
  );
});

describe("a job id that was never created wakes no storage", () => {
  it("GET, confirm, execute, cancel and a callback on a fresh job id write nothing in its JobCoordinator", async () => {
    const user = await newUser();
    const jobId = newId("job");
    expectError(await call("GET", `/jobs/${jobId}`, { token: user.token }), 404, "JOB_NOT_FOUND");
    expectError(await call("POST", `/jobs/${jobId}/confirm-upload`, { token: user.token }), 404, "JOB_NOT_FOUND");
    expectError(
      await call("POST", `/jobs/${jobId}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }),
      404,
      "JOB_NOT_FOUND",
    );
    expectError(await call("POST", `/jobs/${jobId}/cancel`, { token: user.token }), 404, "JOB_NOT_FOUND");
    expectError(
      await call("POST", `/jobs/${jobId}/callback`, {
        token: env.GPU_CALLBACK_SECRET,
        json: { idx: 0, status: "failed", error: "boom" },
      }),
      404,
      "JOB_NOT_FOUND",
    );
    const stub = env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(jobId));
    await runInDurableObject(stub, async (_instance, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
        )
        .toArray();
      expect(tables).toEqual([]);
      expect([...(await state.storage.list())]).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});

describe("inputs are pinned at confirm-upload", () => {
  it("the queue message carries each input's confirmed size and quoted ETag, as R2 answers If-Match", async () => {
    const sent = captureQueue();
    const user = await newUser();
    const job = await uploadedJob(user, 2, DISTINCT_SIZES);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    const heads = await Promise.all(job.upload.map(({ key }) => env.BUCKET.head(key)));
    expect(sent[0]!.items.map(({ idx, input_size, input_etag }) => ({ idx, input_size, input_etag }))).toEqual([
      { idx: 0, input_size: 10, input_etag: heads[0]!.httpEtag },
      { idx: 1, input_size: 11, input_etag: heads[1]!.httpEtag },
    ]);
    expect(sent[0]!.items[0]!.input_etag).toMatch(/^"[^"]+"$/);

    // The S3 endpoint hands If-Match to R2 as headers: the pin matches the confirmed object and
    // no longer matches one a client PUT again after confirm.
    const ifMatch = (etag: string) => ({ onlyIf: new Headers({ "If-Match": etag }) });
    const pinned = await env.BUCKET.get(job.upload[1]!.key, ifMatch(sent[0]!.items[1]!.input_etag!));
    expect(pinned !== null && "body" in pinned).toBe(true);
    if (pinned && "body" in pinned) await pinned.arrayBuffer();
    await env.BUCKET.put(job.upload[0]!.key, new Uint8Array(5_000).fill(9));
    const replaced = await env.BUCKET.get(job.upload[0]!.key, ifMatch(sent[0]!.items[0]!.input_etag!));
    expect(replaced !== null && !("body" in replaced)).toBe(true);
  });

  it("an item the GPU worker fails with INPUT_CHANGED is refunded; the others are charged", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 2, DISTINCT_SIZES);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    const secret = env.GPU_CALLBACK_SECRET;
    expectOk(
      await call("POST", `/jobs/${job.job_id}/callback`, {
        token: secret,
        json: { idx: 0, status: "failed", error: "input replaced after confirm (412)", error_code: "INPUT_CHANGED" },
      }),
    );
    expectOk(
      await call("POST", `/jobs/${job.job_id}/callback`, {
        token: secret,
        json: {
          idx: 1,
          status: "done",
          output_key: storageKeys.output(user.user_id, job.job_id, 1),
          preview_key: storageKeys.preview(user.user_id, job.job_id, 1),
        },
      }),
    );
    expect(expectOk(await call("GET", "/me", { token: user.token }))).toMatchObject({ credits: 9, active_jobs: 0 });
  });
});
