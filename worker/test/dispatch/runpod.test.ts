// GPU_DISPATCH=runpod: the queue consumer submits to Runpod, cancel is forwarded, and a
// Runpod job that gave up fails its unfinished items at the lease. Runpod's API is a
// fetch mock; the Worker, its Durable Objects and these tests share one isolate.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { idempotencyKey, storageKeys, type QueueMessage } from "@s3/contract";
import { queueItems, queueMessage } from "@s3/contract/testing";
import { dispatchBatch } from "../../src/dispatch/consumer";
import { runpodExecutionTimeoutMs } from "../../src/dispatch/runpod";
import { JobCoordinator } from "../../src/durable-objects/job-coordinator";
import worker from "../../src/index";
import { coordinatorOf, freshId, limiterOf, newUser } from "../durable-objects/helpers";

const RUNPOD = `${env.RUNPOD_API_BASE}/${env.RUNPOD_ENDPOINT_ID}`;

interface RunpodCall {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

/** Runpod's API as the test scripts it: `answer` maps a call to a Response (or throws). */
let answer: (call: RunpodCall) => Response;
let calls: RunpodCall[];

beforeEach(() => {
  calls = [];
  answer = () => Response.json({ id: "rp-unset", status: "IN_QUEUE" });
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(env.RUNPOD_API_BASE!)) return realFetch(input, init);
    const text = await request.text();
    const call = {
      method: request.method,
      url: request.url,
      authorization: request.headers.get("authorization"),
      body: text ? JSON.parse(text) : null,
    };
    calls.push(call);
    return answer(call);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

// The test pool runs the Worker with GPU_DISPATCH=bridge; these tests deploy it as runpod.
const runpodEnv: Env = { ...env, GPU_DISPATCH: "runpod" };

/**
 * The Worker with its JobCoordinators deployed as GPU_DISPATCH=runpod: each coordinator call runs in the
 * job's own object, on an instance built with that env (the pool's objects run as bridge).
 */
const runpodDeployment: Env = {
  ...runpodEnv,
  JOB_COORDINATOR: {
    ...env.JOB_COORDINATOR,
    idFromName: (name: string) => env.JOB_COORDINATOR.idFromName(name),
    get: (id: DurableObjectId) =>
      new Proxy(
        {},
        {
          get:
            (_target, method: string) =>
            (...args: unknown[]) =>
              runInDurableObject(env.JOB_COORDINATOR.get(id), (_instance, state) => {
                const coordinator = new JobCoordinator(state, runpodDeployment) as unknown as Record<
                  string,
                  (...rest: unknown[]) => unknown
                >;
                return coordinator[method]!(...args);
              }),
        },
      ),
  } as unknown as Env["JOB_COORDINATOR"],
};

/** The job's lease runs out on a Worker deployed with GPU_DISPATCH=runpod; false when no alarm was set. */
function leaseExpiresUnderRunpod(job: DurableObjectStub<JobCoordinator>): Promise<boolean> {
  return runInDurableObject(job, async (_instance, state) => {
    if ((await state.storage.getAlarm()) === null) return false;
    await state.storage.deleteAlarm();
    await new JobCoordinator(state, runpodEnv).alarm();
    return true;
  });
}

/** A job created the way POST /jobs creates it (credits reserved), optionally executed. */
async function jobFor(itemCount: number, options: { execute?: boolean } = {}) {
  const userId = await newUser();
  const jobId = freshId("job");
  await limiterOf(userId).reserve(jobId, itemCount);
  const job = coordinatorOf(jobId);
  await job.create({ job_id: jobId, user_id: userId, preset: "interior", item_count: itemCount, watermark: true });
  if (options.execute) {
    await job.confirmUpload(userId);
    await job.execute(userId, {
      concepts: { Wall: { action: "recolor", value: "sage_a" } },
      protect: ["Grout"],
      rule_id: null,
      output_template: null,
    });
  }
  return { userId, jobId, job };
}

async function dispatch(message: QueueMessage) {
  const batch = createMessageBatch<QueueMessage>("gpu-jobs", [
    { id: `msg-${message.job_id}`, timestamp: new Date(), attempts: 1, body: message },
  ]);
  await dispatchBatch(batch, runpodEnv);
  return getQueueResult(batch, createExecutionContext());
}

describe("GPU_DISPATCH=runpod queue consumer", () => {
  it(
    "submits the message as the Runpod job's input with the API key, " + "acks it and records Runpod's job id",
    async () => {
      const { userId, jobId, job } = await jobFor(1);
      answer = () => Response.json({ id: "rp-123", status: "IN_QUEUE" });
      const message = queueMessage({ user_id: userId, job_id: jobId });
      const result = await dispatch(message);

      expect(calls).toEqual([
        {
          method: "POST",
          url: `${RUNPOD}/run`,
          authorization: `Bearer ${env.RUNPOD_API_KEY}`,
          body: { input: message, policy: { executionTimeout: 600_000 } },
        },
      ]);
      expect(result.explicitAcks).toEqual([`msg-${jobId}`]);
      expect(result.retryMessages).toEqual([]);
      const view = await job.get(userId);
      expect(view.ok && view.job.dispatch_refs).toEqual(["rp-123"]);
    },
  );

  it("a message for a job canceled while it waited is acked without submitting anything", async () => {
    const { userId, jobId, job } = await jobFor(1);
    await job.cancel(userId);
    const result = await dispatch(queueMessage({ user_id: userId, job_id: jobId }));
    expect(result.explicitAcks).toEqual([`msg-${jobId}`]);
    expect(calls).toEqual([]);
  });

  it("a 5xx from Runpod or no answer at all retries the message and records nothing", async () => {
    const { userId, jobId, job } = await jobFor(1);
    vi.spyOn(console, "error").mockImplementation(() => {});
    answer = () => new Response("upstream down", { status: 503 });
    expect(
      (await dispatch(queueMessage({ user_id: userId, job_id: jobId }))).retryMessages.map(
        (m: { msgId: string }) => m.msgId,
      ),
    ).toEqual([`msg-${jobId}`]);
    answer = () => {
      throw new TypeError("network connection lost");
    };
    const second = await dispatch(queueMessage({ user_id: userId, job_id: jobId }));
    expect(second.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual([`msg-${jobId}`]);
    expect(second.explicitAcks).toEqual([]);
    const view = await job.get(userId);
    expect(view.ok && view.job.dispatch_refs).toEqual([]);
  });

  it(
    "a 4xx refusal (bad key or endpoint) is retried towards the " +
      "dead-letter queue and logged as a configuration problem",
    async () => {
      const { userId, jobId } = await jobFor(1);
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      answer = () => new Response("unauthorized", { status: 401 });
      const result = await dispatch(queueMessage({ user_id: userId, job_id: jobId }));
      expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual([`msg-${jobId}`]);
      expect(errors.mock.calls.map((args) => String(args[0])).join("\n")).toMatch(
        /Runpod refused job .*401.*RUNPOD_API_KEY/,
      );
    },
  );
});

describe("cancel forwarding", () => {
  async function apiJob() {
    const user = (
      await (
        await SELF.fetch("http://127.0.0.1:8787/auth/anon", { method: "POST" })
      ).json<{ data: { user_id: string; token: string } }>()
    ).data;
    const created = await SELF.fetch("http://127.0.0.1:8787/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
      body: JSON.stringify({ preset: "interior", item_count: 2 }),
    });
    const jobId = (await created.json<{ data: { job_id: string } }>()).data.job_id;
    return { user, jobId, job: coordinatorOf(jobId) };
  }

  const cancel = (jobId: string, token: string) =>
    worker.fetch(
      new Request(`http://127.0.0.1:8787/jobs/${jobId}/cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      }),
      runpodDeployment,
      createExecutionContext(),
    );

  it("POST /jobs/{id}/cancel also cancels each of the job's Runpod jobs", async () => {
    const { user, jobId, job } = await apiJob();
    await job.recordDispatch("rp-a");
    await job.recordDispatch("rp-b");
    answer = (call) => Response.json({ id: call.url.split("/").at(-1), status: "CANCELLED" });
    const response = await cancel(jobId, user.token);
    expect(response.status).toBe(200);
    expect(calls.map((call) => [call.method, call.url, call.authorization]).sort()).toEqual([
      ["POST", `${RUNPOD}/cancel/rp-a`, `Bearer ${env.RUNPOD_API_KEY}`],
      ["POST", `${RUNPOD}/cancel/rp-b`, `Bearer ${env.RUNPOD_API_KEY}`],
    ]);
  });

  it("the user's cancel and full refund stand when Runpod is down", async () => {
    const { user, jobId, job } = await apiJob();
    await job.recordDispatch("rp-down");
    vi.spyOn(console, "warn").mockImplementation(() => {});
    answer = () => new Response("bad gateway", { status: 502 });
    const response = await cancel(jobId, user.token);
    expect(response.status).toBe(200);
    expect((await response.json<{ data: { status: string; refunded: number } }>()).data).toMatchObject({
      status: "canceled",
      refunded: 2,
    });
    expect(calls).toHaveLength(1);
  });

  it("a job never dispatched to Runpod cancels without calling Runpod", async () => {
    const { user, jobId } = await apiJob();
    expect((await cancel(jobId, user.token)).status).toBe(200);
    expect(calls).toEqual([]);
  });
});

describe("a Runpod job that gave up", () => {
  for (const status of ["FAILED", "TIMED_OUT", "CANCELLED"]) {
    it(
      `at the lease, a Runpod job ${status} fails the ` + "unfinished items with GPU_JOB_FAILED and refunds them",
      async () => {
        const { userId, jobId, job } = await jobFor(2, { execute: true });
        await job.recordDispatch("rp-first");
        await job.recordDispatch("rp-latest");
        await job.callback({
          idx: 0,
          status: "done",
          output_key: storageKeys.output(userId, jobId, 0),
          preview_key: storageKeys.preview(userId, jobId, 0),
          error: null,
          idempotency_key: idempotencyKey(jobId, 0, 1),
        });
        const send = vi.spyOn(env.GPU_JOBS, "send");
        answer = (call) => Response.json({ id: call.url.split("/").at(-1), status });

        expect(await leaseExpiresUnderRunpod(job)).toBe(true);
        expect(calls.map((call) => [call.method, call.url])).toEqual([["GET", `${RUNPOD}/status/rp-latest`]]);
        const view = await job.get(userId);
        expect(view.ok && view.job.status).toBe("done");
        expect(view.ok && view.job.items.map((item) => [item.status, item.error])).toEqual([
          ["done", null],
          ["failed", "GPU_JOB_FAILED"],
        ]);
        expect(send).not.toHaveBeenCalled();
        // 10 credits, 2 reserved, the failed item refunded.
        expect((await limiterOf(userId).state())?.credits).toBe(9);
      },
    );
  }

  for (const [status, answerWith] of [
    ["IN_QUEUE", () => Response.json({ id: "rp-busy", status: "IN_QUEUE" })],
    ["IN_PROGRESS", () => Response.json({ id: "rp-busy", status: "IN_PROGRESS" })],
    ["unavailable", () => new Response("", { status: 500 })],
  ] as const) {
    it(`a Runpod job ${status} at the lease extends it; no second /run while it can still report`, async () => {
      const { userId, job } = await jobFor(1, { execute: true });
      await job.recordDispatch("rp-busy");
      const send = vi.spyOn(env.GPU_JOBS, "send");
      vi.spyOn(console, "warn").mockImplementation(() => {});
      answer = answerWith;
      const before = Date.now();
      for (let lease = 0; lease < 3; lease++) expect(await leaseExpiresUnderRunpod(job)).toBe(true);
      expect(send).not.toHaveBeenCalled();
      const alarm = await runInDurableObject(job, (_instance, state) => state.storage.getAlarm());
      expect(alarm).toBeGreaterThan(before);
      const view = await job.get(userId);
      expect(view.ok && view.job.status).toBe("queued");
      expect(view.ok && view.job.items[0]!.status).toBe("pending");
    });
  }

  it("past the job's execution timeout plus a lease, a Runpod job still running is re-queued after all", async () => {
    const { job } = await jobFor(1, { execute: true });
    await job.recordDispatch("rp-stuck");
    const send = vi.spyOn(env.GPU_JOBS, "send");
    answer = () => Response.json({ id: "rp-stuck", status: "IN_PROGRESS" });
    expect(await leaseExpiresUnderRunpod(job)).toBe(true);
    expect(send).not.toHaveBeenCalled();
    // The hold began at the first extension; move its end into the past, as ten minutes later.
    await runInDurableObject(job, (_instance, state) => state.storage.put("lease_held_until", Date.now() - 1));
    expect(await leaseExpiresUnderRunpod(job)).toBe(true);
    expect(send.mock.calls.map(([message]) => (message as QueueMessage).attempt)).toEqual([2]);
    // A new attempt gets a hold of its own.
    expect(await leaseExpiresUnderRunpod(job)).toBe(true);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("a Runpod job COMPLETED with items unreported is re-queued at the lease", async () => {
    const { job } = await jobFor(1, { execute: true });
    await job.recordDispatch("rp-done");
    const send = vi.spyOn(env.GPU_JOBS, "send");
    answer = () => Response.json({ id: "rp-done", status: "COMPLETED" });
    await leaseExpiresUnderRunpod(job);
    expect(send.mock.calls.map(([message]) => (message as QueueMessage).attempt)).toEqual([2]);
  });
});

describe("Runpod executionTimeout", () => {
  it("grows with the job's rounds of photos, within Runpod's 600 s default and 7 days", () => {
    expect(runpodExecutionTimeoutMs(4, 4)).toBe(600_000);
    // 1 minute to start + 100 rounds of 30 s.
    expect(runpodExecutionTimeoutMs(400, 4)).toBe(60_000 + 100 * 30_000);
    expect(runpodExecutionTimeoutMs(401, 4)).toBe(60_000 + 101 * 30_000);
    expect(runpodExecutionTimeoutMs(1_000_000, 1)).toBe(604_800_000);
  });

  it("a large job's /run carries its executionTimeout", async () => {
    const { userId, jobId } = await jobFor(1);
    answer = () => Response.json({ id: "rp-big", status: "IN_QUEUE" });
    const items = queueItems(userId, jobId, 100);
    await dispatch(queueMessage({ user_id: userId, job_id: jobId, items, batch_concurrency: 2 }));
    expect(calls[0]!.body).toMatchObject({ policy: { executionTimeout: 60_000 + 50 * 30_000 } });
  });
});
