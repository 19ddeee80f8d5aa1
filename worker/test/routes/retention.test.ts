// Retention (docs/trust.md): DELETE /jobs/{id} and RETENTION_DAYS delete a finished job's objects in R2;
// GET /jobs/{id} still answers without URLs, and billing rows stay.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storageKeys } from "@s3/contract";
import { jobCoordinator } from "../../src/lib/durable";
import { billingRows } from "../durable-objects/helpers";
import { call, expectError, expectOk, FLOOR_OAK, newUser, type TestUser } from "./helpers";

interface FinishedJob {
  jobId: string;
  /** Every object the job has in R2, one under each prefix. */
  keys: string[];
}

async function objectsUnder(userId: string, jobId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of storageKeys.jobPrefixes(userId, jobId)) {
    keys.push(...(await env.BUCKET.list({ prefix })).objects.map((object) => object.key));
  }
  return keys.sort();
}

/** A job run to done through the API, with an input, a result, a preview, a mask and a set file in R2. */
async function finishedJob(user: TestUser): Promise<FinishedJob> {
  const job = expectOk(
    await call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: 1 } }),
  ) as { job_id: string; upload: { key: string }[] };
  const jobId = job.job_id;
  await env.BUCKET.put(job.upload[0]!.key, "input");
  expectOk(await call("POST", `/jobs/${jobId}/confirm-upload`, { token: user.token }));
  expectOk(await call("POST", `/jobs/${jobId}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
  const keys = [
    job.upload[0]!.key,
    storageKeys.output(user.user_id, jobId, 0),
    storageKeys.preview(user.user_id, jobId, 0),
    `masks/${user.user_id}/${jobId}/0/Floor.png`,
    `sets/${user.user_id}/${jobId}/0/card.jpg`,
  ];
  await Promise.all(keys.slice(1).map((key) => env.BUCKET.put(key, "bytes")));
  expectOk(
    await call("POST", `/jobs/${jobId}/callback`, {
      token: env.GPU_CALLBACK_SECRET,
      json: { idx: 0, status: "done", output_key: keys[1], preview_key: keys[2] },
    }),
  );
  expect(await objectsUnder(user.user_id, jobId)).toEqual([...keys].sort());
  return { jobId, keys };
}

describe("DELETE /jobs/{id}", () => {
  it("deletes every object of a finished job; GET still answers without URLs; billing stays", async () => {
    const user = await newUser();
    const { jobId } = await finishedJob(user);
    // Another job of the same user keeps its objects.
    const other = await finishedJob(user);
    const billed = await billingRows(user.user_id);
    expect((await call("GET", `/jobs/${jobId}`, { token: user.token })).body.data.outputs_ready).toHaveLength(1);

    expect(expectOk(await call("DELETE", `/jobs/${jobId}`, { token: user.token }))).toEqual({ id: jobId });
    expect(await objectsUnder(user.user_id, jobId)).toEqual([]);
    const after = expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token }));
    expect(after).toMatchObject({ job_id: jobId, status: "done", progress: { done: 1, failed: 0, total: 1 } });
    expect(after.outputs_ready).toEqual([]);
    expect(Date.parse(after.deleted_at)).not.toBeNaN();
    expect(await billingRows(user.user_id)).toEqual(billed);
    expect(await objectsUnder(user.user_id, other.jobId)).toEqual([...other.keys].sort());

    // Repeating it changes nothing.
    expect(expectOk(await call("DELETE", `/jobs/${jobId}`, { token: user.token }))).toEqual({ id: jobId });
    expect(expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token })).deleted_at).toBe(after.deleted_at);
  });

  it(
    "a job not yet finished is INVALID_TRANSITION and keeps its objects; " + "another user's job is JOB_NOT_FOUND",
    async () => {
      const user = await newUser();
      const job = expectOk(
        await call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: 1 } }),
      ) as { job_id: string; upload: { key: string }[] };
      await env.BUCKET.put(job.upload[0]!.key, "input");
      expectError(await call("DELETE", `/jobs/${job.job_id}`, { token: user.token }), 409, "INVALID_TRANSITION");
      expect(await objectsUnder(user.user_id, job.job_id)).toEqual([job.upload[0]!.key]);

      const owner = await newUser();
      const { jobId, keys } = await finishedJob(owner);
      expectError(await call("DELETE", `/jobs/${jobId}`, { token: user.token }), 404, "JOB_NOT_FOUND");
      expectError(await call("DELETE", `/jobs/${jobId}`), 401, "AUTH_REQUIRED");
      expect(await objectsUnder(owner.user_id, jobId)).toEqual([...keys].sort());
    },
  );
});

describe("RETENTION_DAYS", () => {
  it("the JobCoordinator's alarm deletes a settled job's objects once RETENTION_DAYS have passed", async () => {
    const user = await newUser();
    const { jobId, keys } = await finishedJob(user);
    const stub = jobCoordinator(env, jobId);
    const finishedAt = await runInDurableObject(stub, async (_instance, state) => {
      const row = state.storage.sql.exec<{ finished_at: string }>("SELECT finished_at FROM job").one();
      // Settled: the next alarm is the retention, RETENTION_DAYS (30) after the job finished.
      expect(await state.storage.getAlarm()).toBe(Date.parse(row.finished_at) + 30 * 86_400_000);
      return row.finished_at;
    });

    // Fired early, the alarm keeps the objects and waits.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await objectsUnder(user.user_id, jobId)).toEqual([...keys].sort());

    const billed = await billingRows(user.user_id);
    await runInDurableObject(stub, async (_instance, state) => {
      const longAgo = new Date(Date.parse(finishedAt) - 31 * 86_400_000).toISOString();
      state.storage.sql.exec("UPDATE job SET finished_at = ?", longAgo);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await objectsUnder(user.user_id, jobId)).toEqual([]);
    const after = expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token }));
    expect(after).toMatchObject({ status: "done", outputs_ready: [] });
    expect(after.deleted_at).toEqual(expect.any(String));
    expect(await billingRows(user.user_id)).toEqual(billed);
  });
});
