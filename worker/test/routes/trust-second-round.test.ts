// The second round of trust findings (docs/trust.md, "Second round"), each tried as the attacker would.
import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { storageKeys } from "@s3/contract";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { TOKEN_LIFETIME_SEC } from "../../src/lib/auth";
import { newId } from "../../src/lib/ids";
import { signupKey } from "../../src/lib/signup-key";
import {
  call,
  createJob,
  expectError,
  expectOk,
  FLOOR_OAK,
  newUser,
  ruleBody,
  uploadedJob,
  type TestUser,
} from "./helpers";

const nowSec = () => Math.floor(Date.now() / 1000);

async function signUp(ip: string, limitEnv: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request<unknown, IncomingRequestCfProperties>("http://127.0.0.1:8787/auth/anon", {
      method: "POST",
      headers: { "CF-Connecting-IP": ip },
    }),
    limitEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  await response.body?.cancel();
  return response;
}

describe("signup limit per IPv6 /64", () => {
  it("signup limit per IPv6 /64: every address of one /64 shares one limit; the next /64 has its own", async () => {
    const limited = { ...env, ANON_PER_MINUTE: "3" } as Env;
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`;
    const statuses = [];
    for (const host of ["::1", ":0:0:0:2", ":a:b:c:d", ":ffff:ffff:ffff:ffff"]) {
      statuses.push((await signUp(`${prefix}${host}`, limited)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await signUp(`${prefix.replace(/:7$/, ":8")}::1`, limited)).status).toBe(200);
  });

  it("keys IPv4 as is, IPv4-mapped IPv6 as its IPv4, and IPv6 by its /64 in one spelling", () => {
    expect(signupKey("203.0.113.9")).toBe("203.0.113.9");
    expect(signupKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(signupKey("2001:DB8:0:7::1")).toBe("2001:db8:0:7::/64");
    expect(signupKey("2001:0db8:0000:0007:1:2:3:4")).toBe("2001:db8:0:7::/64");
    expect(signupKey("2001:db8::7:1:2:3:4")).toBe("2001:db8:0:7::/64");
    expect(signupKey("2001:db8:0:8::1")).not.toBe(signupKey("2001:db8:0:7::1"));
  });
});

describe("JWT maximum age", () => {
  const secret = new TextEncoder().encode(env.JWT_SECRET);
  const token = (userId: string, iat: number, exp: number) =>
    new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId).setIssuedAt(iat).setExpirationTime(exp);

  it("JWT max age: a token older than 30 days is TOKEN_EXPIRED even with exp 100 years away", async () => {
    const user = await newUser();
    const iat = nowSec() - TOKEN_LIFETIME_SEC - 60;
    const forged = await token(user.user_id, iat, nowSec() + 100 * 365 * 86_400).sign(secret);
    expectError(await call("GET", "/me", { token: forged }), 401, "TOKEN_EXPIRED");
    const young = await token(user.user_id, nowSec() - 60, nowSec() + 100 * 365 * 86_400).sign(secret);
    expectOk(await call("GET", "/me", { token: young }));
  });

  it("JWT future iat: a token issued in the future is TOKEN_INVALID", async () => {
    const user = await newUser();
    const future = await token(user.user_id, nowSec() + 3600, nowSec() + 3600 + TOKEN_LIFETIME_SEC).sign(secret);
    expectError(await call("GET", "/me", { token: future }), 401, "TOKEN_INVALID");
  });
});

describe("set.zip checks the link before reading the job", () => {
  it("set.zip checks the link before reading the job: a bad link answers alike for any job", async () => {
    const owner = await newUser();
    const realJob = (await uploadedJob(owner, 1)).job_id;
    const missingJob = newId("job");
    const badLink = `expires=${nowSec() + 600}&sig=${"A".repeat(43)}`;
    for (const jobId of [realJob, missingJob]) {
      expectError(await call("GET", `/jobs/${jobId}/set.zip?${badLink}`), 401, "TOKEN_INVALID");
    }
    // The missing job's JobCoordinator was never asked: its storage stays empty.
    const stub = env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(missingJob));
    await runInDurableObject(stub, async (_instance, state) => {
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master").toArray()).toEqual([]);
    });
  });
});

describe("lone surrogates in names", () => {
  it("lone surrogates in names: a rule or variant name with one is VALIDATION_ERROR", async () => {
    const user = await newUser();
    for (const name of ["Oak \ud800", "\udfff floors", "a\udc00\ud800b"]) {
      const answer = await call("POST", "/rules", { token: user.token, json: ruleBody({ name }) });
      expectError(answer, 400, "VALIDATION_ERROR");
      expect(answer.body.error?.message).toMatch(/name.*surrogate/);
    }
    const rule = expectOk(await call<{ id: string }>("POST", "/rules", { token: user.token, json: ruleBody() }));
    expectError(
      await call("PUT", `/rules/${rule.id}`, { token: user.token, json: { name: "x\ud83d" } }),
      400,
      "VALIDATION_ERROR",
    );
    // A well-formed pair (an emoji) is text like any other.
    const emoji = expectOk(
      await call<{ name: string }>("PUT", `/rules/${rule.id}`, {
        token: user.token,
        json: { name: "Oak \ud83c\udf33" },
      }),
    );
    expect(emoji.name).toBe("Oak 🌳");
    const seller = await uploadedJob(user, 1, { preset: "seller" });
    const variant = (name: string) => ({ name, concepts: { Body: { action: "recolor", value: "red_a" } } });
    expectError(
      await call("POST", `/jobs/${seller.job_id}/execute`, {
        token: user.token,
        json: {
          concepts: { Body: { action: "recolor", value: "red_a" } },
          output_template: "option_board",
          variants: [variant("Red \ud800"), variant("Sky")],
        },
      }),
      400,
      "VALIDATION_ERROR",
    );
  });
});

describe("upload size is bounded at the door", () => {
  it("upload size bounded: POST /jobs with sizes signs content-length into each upload URL", async () => {
    const user = await newUser();
    const sizes = [1000, 2000];
    const job = expectOk(
      await call<{ upload: { idx: number; url: string }[] }>("POST", "/jobs", {
        token: user.token,
        json: { preset: "interior", item_count: 2, sizes },
      }),
    );
    for (const { url } of job.upload) {
      expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    }
    expect(job.upload[0]!.url).not.toBe(job.upload[1]!.url);
  });

  it("upload size bounded: sizes over the cap, or not one per item, are VALIDATION_ERROR", async () => {
    const user = await newUser();
    const cases = [
      { preset: "interior", item_count: 1, sizes: [26_214_401] },
      { preset: "interior", item_count: 2, sizes: [10] },
      { preset: "interior", item_count: 1, sizes: [0] },
      { preset: "interior", item_count: 1, sizes: ["10"] },
    ];
    for (const json of cases) {
      expectError(await call("POST", "/jobs", { token: user.token, json }), 400, "VALIDATION_ERROR");
    }
    expect(expectOk(await call<{ credits: number }>("GET", "/me", { token: user.token })).credits).toBe(10);
  });

  it("upload size bounded: an input over the cap is deleted at confirm and the job stays created", async () => {
    const user = await newUser();
    const job = await createJob(user, 2);
    const small = { ...env, MAX_UPLOAD_BYTES: "100" } as Env;
    await env.BUCKET.put(job.upload[0]!.key, new Uint8Array(50));
    await env.BUCKET.put(job.upload[1]!.key, new Uint8Array(101));
    const confirm = await asUser(user, "POST", `/jobs/${job.job_id}/confirm-upload`, small);
    expect(confirm.status).toBe(400);
    expect(((await confirm.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    expect(await env.BUCKET.head(job.upload[1]!.key)).toBeNull();
    expect(await env.BUCKET.head(job.upload[0]!.key)).not.toBeNull();
    const view = expectOk(await call<{ status: string }>("GET", `/jobs/${job.job_id}`, { token: user.token }));
    expect(view.status).toBe("created");
    // Uploaded again within the cap, the job confirms.
    await env.BUCKET.put(job.upload[1]!.key, new Uint8Array(60));
    expect((await asUser(user, "POST", `/jobs/${job.job_id}/confirm-upload`, small)).status).toBe(200);
  });
});

/** A request as `user` to the Worker with other vars (SELF always has the test's own). */
async function asUser(user: TestUser, method: string, path: string, withEnv: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request<unknown, IncomingRequestCfProperties>(`http://127.0.0.1:8787${path}`, {
      method,
      headers: { Authorization: `Bearer ${user.token}` },
    }),
    withEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

describe("deleted means deleted", () => {
  const coordinator = (jobId: string) => env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(jobId));
  const callback = (jobId: string, json: object) =>
    call("POST", `/jobs/${jobId}/callback`, { token: env.GPU_CALLBACK_SECRET, json });
  const exists = async (key: string) => (await env.BUCKET.head(key)) !== null;

  /** A 2-item job executed, one item done, then canceled while the other runs, then deleted. */
  async function canceledAndDeleted(user: TestUser) {
    const job = await uploadedJob(user, 2);
    expectOk(await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
    const keys = (idx: number) => ({
      output_key: storageKeys.output(user.user_id, job.job_id, idx),
      preview_key: storageKeys.preview(user.user_id, job.job_id, idx),
    });
    for (const key of Object.values(keys(0))) await env.BUCKET.put(key, "done");
    expectOk(await callback(job.job_id, { idx: 0, status: "done", ...keys(0) }));
    expectOk(await call("POST", `/jobs/${job.job_id}/cancel`, { token: user.token }));
    expectOk(await call("DELETE", `/jobs/${job.job_id}`, { token: user.token }));
    return { job, keys };
  }

  it("deleted means deleted: objects written after DELETE go at the tombstone sweep", async () => {
    const user = await newUser();
    const { job, keys } = await canceledAndDeleted(user);
    const before = Date.now();
    // A still-valid upload URL and a GPU worker still busy with idx 1 write under the deleted job.
    await env.BUCKET.put(job.upload[0]!.key, "uploaded after DELETE");
    await env.BUCKET.put(keys(1).output_key, "late result");
    await env.BUCKET.put(storageKeys.mask(user.user_id, job.job_id, 1, "Floor"), "late mask");
    const stub = coordinator(job.job_id);
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    // Upload URLs live 900 s and the lease 600 s here: the sweep waits for the longer, plus a minute.
    expect(alarm! - before).toBeGreaterThanOrEqual(960_000 - 5_000);
    expect(alarm! - before).toBeLessThanOrEqual(960_000 + 5_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await exists(keys(1).output_key)).toBe(true);
    // Time passes: the sweep is due.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE purge_tombstone SET sweep_at_ms = ?", Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    for (const key of [job.upload[0]!.key, keys(1).output_key, storageKeys.mask(user.user_id, job.job_id, 1, "Floor")])
      expect(await exists(key), key).toBe(false);
    // Swept once: no alarm is left behind.
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeNull();
  });

  it("deleted means deleted: a callback for a purged job deletes that item's keys and records nothing", async () => {
    const user = await newUser();
    const { job, keys } = await canceledAndDeleted(user);
    for (const key of Object.values(keys(1))) await env.BUCKET.put(key, "late");
    const answer = expectOk(await callback(job.job_id, { idx: 1, status: "done", ...keys(1) })) as {
      status: string;
      recorded: boolean;
    };
    expect(answer).toMatchObject({ status: "canceled", recorded: false });
    for (const key of Object.values(keys(1))) expect(await exists(key), key).toBe(false);
  });

  it("deleted means deleted: canceling a job that never ran deletes its inputs at once", async () => {
    const user = await newUser();
    const uploaded = await uploadedJob(user, 2);
    const created = await createJob(await newUser(), 1);
    await env.BUCKET.put(created.upload[0]!.key, new Uint8Array(16));
    expectOk(await call("POST", `/jobs/${uploaded.job_id}/cancel`, { token: user.token }));
    for (const { key } of uploaded.upload) expect(await exists(key), key).toBe(false);
    const view = expectOk(
      await call<{ deleted_at?: string }>("GET", `/jobs/${uploaded.job_id}`, { token: user.token }),
    );
    expect(typeof view.deleted_at).toBe("string");
    // The job's TTL cancels an abandoned one the same way.
    const stub = coordinator(created.job_id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await exists(created.upload[0]!.key)).toBe(false);
  });
});
