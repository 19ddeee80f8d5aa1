import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import {
  idempotencyKey,
  JOB_STATUSES,
  queueMessageSchema,
  storageKeys,
  type CallbackBody,
  type JobStatus,
} from "@s3/contract";
import { queueItems } from "@s3/contract/testing";
import type { ExecuteInput } from "../../src/rpc";
import type { JobCoordinator } from "../../src/durable-objects/job-coordinator";
import type { Dispatcher, ProviderStatus } from "../../src/dispatch";
import { dispatchProviders } from "../../src/dispatch/registry";
import { balanceFromBilling, billingRows, coordinatorOf, freshId, limiterOf, newUser } from "./helpers";

const RULE: ExecuteInput = {
  concepts: { Floor: { action: "recolor", value: "oak_a" } },
  protect: ["Grout", "Frame_Molding"],
  rule_id: null,
  output_template: "전후비교",
};

let send: MockInstance;
beforeEach(() => {
  send = vi.spyOn(env.GPU_JOBS, "send");
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** What POST /jobs does: reserve in the UserLimiter, then create in the JobCoordinator. */
async function createJob(itemCount: number) {
  const userId = await newUser();
  const jobId = freshId("job");
  expect(await limiterOf(userId).reserve(jobId, itemCount)).toMatchObject({ ok: true });
  const job = coordinatorOf(jobId);
  expect(
    await job.create({ job_id: jobId, user_id: userId, preset: "interior", item_count: itemCount, watermark: true }),
  ).toMatchObject({ ok: true });
  return { userId, jobId, job };
}

async function queuedJob(itemCount: number) {
  const fixture = await createJob(itemCount);
  await fixture.job.confirmUpload(fixture.userId);
  expect(await fixture.job.execute(fixture.userId, RULE)).toMatchObject({ ok: true });
  return fixture;
}

/** A settled job has nothing left but its retention: the alarm is set RETENTION_DAYS after it finished. */
async function expectOnlyRetentionAlarm(job: ReturnType<typeof coordinatorOf>): Promise<void> {
  await runInDurableObject(job, async (_instance, state) => {
    const finishedAt = state.storage.sql.exec<{ finished_at: string }>("SELECT finished_at FROM job").one().finished_at;
    expect(await state.storage.getAlarm()).toBe(Date.parse(finishedAt) + Number(env.RETENTION_DAYS) * 86_400_000);
  });
}

function report(userId: string, jobId: string, idx: number, status: "done" | "failed", attempt = 1): CallbackBody {
  return status === "done"
    ? {
        idx,
        status,
        output_key: storageKeys.output(userId, jobId, idx),
        preview_key: storageKeys.preview(userId, jobId, idx),
        error: null,
        idempotency_key: idempotencyKey(jobId, idx, attempt),
      }
    : {
        idx,
        status,
        output_key: null,
        preview_key: null,
        error: "segmenter: no mask for Floor",
        error_code: "SEGMENT_FAILED",
        idempotency_key: idempotencyKey(jobId, idx, attempt),
      };
}

async function jobsLogRow(jobId: string) {
  return env.DB.prepare("SELECT status, user_id, cost_estimate, error, concepts_json FROM jobs_log WHERE job_id = ?")
    .bind(jobId)
    .first();
}

async function itemLogRows(jobId: string) {
  const { results } = await env.DB.prepare(
    "SELECT idx, status, output_key, error FROM job_items_log WHERE job_id = ? ORDER BY idx",
  )
    .bind(jobId)
    .all();
  return results;
}

/** A two-item job brought to `status` through the coordinator's own steps. */
async function jobIn(status: JobStatus) {
  const fixture = await createJob(2);
  const { userId, jobId, job } = fixture;
  if (status === "canceled") {
    await job.cancel(userId);
    return fixture;
  }
  if (status === "created") return fixture;
  await job.confirmUpload(userId);
  if (status === "uploaded") return fixture;
  await job.execute(userId, RULE);
  if (status === "queued") return fixture;
  await job.callback(report(userId, jobId, 0, status === "failed" ? "failed" : "done"));
  if (status === "running") return fixture;
  await job.callback(report(userId, jobId, 1, status === "failed" ? "failed" : "done"));
  return fixture;
}

describe("JobCoordinator state machine", () => {
  it("create stores every item with its storage keys, status created", async () => {
    const { userId, jobId, job } = await createJob(3);
    const outcome = await job.get(userId);
    if (!outcome.ok) throw new Error(outcome.code);
    expect(outcome.job).toMatchObject({
      status: "created",
      preset: "interior",
      watermark: true,
      progress: { done: 0, failed: 0, total: 3, needs_review: 0 },
    });
    expect(outcome.job.items[2]).toEqual({
      idx: 2,
      status: "pending",
      input_key: storageKeys.input(userId, jobId, 2),
      output_key: storageKeys.output(userId, jobId, 2),
      preview_key: storageKeys.preview(userId, jobId, 2),
      error: null,
      report: null,
      scan_report: null,
      input: null,
      pin: null,
      hints: null,
    });
  });

  it("another user's job answers JOB_NOT_FOUND and stays untouched", async () => {
    const { userId, job } = await createJob(1);
    const stranger = await newUser();
    expect(await job.get(stranger)).toEqual({ ok: false, code: "JOB_NOT_FOUND" });
    expect(await job.confirmUpload(stranger)).toEqual({ ok: false, code: "JOB_NOT_FOUND" });
    expect(await job.cancel(stranger)).toEqual({ ok: false, code: "JOB_NOT_FOUND" });
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "created" } });
  });

  it("a job that was never created answers JOB_NOT_FOUND", async () => {
    const job = coordinatorOf(freshId("job"));
    expect(await job.get("u_x")).toEqual({ ok: false, code: "JOB_NOT_FOUND" });
  });

  const ALLOWED: Record<string, { from: JobStatus; to: JobStatus }[]> = {
    confirmUpload: [{ from: "created", to: "uploaded" }],
    execute: [{ from: "uploaded", to: "queued" }],
    cancel: ["created", "uploaded", "queued", "running"].map((from) => ({
      from: from as JobStatus,
      to: "canceled" as JobStatus,
    })),
  };
  /** A step that already happened answers the job as it stands and changes nothing (docs/retries.md). */
  const REPEATED: Record<string, JobStatus[]> = {
    confirmUpload: ["uploaded"],
    execute: ["queued", "running", "done", "failed"],
    cancel: [],
  };
  const cases = Object.keys(ALLOWED).flatMap((step) => JOB_STATUSES.map((from) => ({ step, from })));

  it.each(cases)(
    "$step from $from: allowed steps move on, repeated ones answer ok, forbidden ones answer 409; both change nothing",
    async ({ step, from }) => {
      const { userId, job } = await jobIn(from);
      const outcome =
        step === "confirmUpload"
          ? await job.confirmUpload(userId)
          : step === "execute"
            ? await job.execute(userId, RULE)
            : await job.cancel(userId);
      const allowed = ALLOWED[step]!.find((transition) => transition.from === from);
      const after = await job.get(userId);
      if (allowed) {
        expect(outcome).toMatchObject({ ok: true });
        expect(after).toMatchObject({ ok: true, job: { status: allowed.to } });
      } else if (REPEATED[step]!.includes(from)) {
        expect(outcome).toMatchObject({ ok: true, job: { status: from } });
        expect(after).toMatchObject({ ok: true, job: { status: from } });
      } else {
        const code = from === "canceled" && step !== "confirmUpload" ? "ALREADY_CANCELED" : "INVALID_TRANSITION";
        expect(outcome).toEqual({ ok: false, code });
        expect(after).toMatchObject({ ok: true, job: { status: from } });
      }
    },
  );

  it.each([
    { from: "created", expected: { ok: false, code: "INVALID_TRANSITION" }, status: "created" },
    { from: "uploaded", expected: { ok: false, code: "INVALID_TRANSITION" }, status: "uploaded" },
    { from: "queued", expected: { ok: true, recorded: true }, status: "running" },
    { from: "running", expected: { ok: true, recorded: true }, status: "done" },
    { from: "done", expected: { ok: true, recorded: false }, status: "done" },
    { from: "failed", expected: { ok: true, recorded: false }, status: "failed" },
    { from: "canceled", expected: { ok: true, recorded: false }, status: "canceled" },
  ] as const)(
    "a callback on a $from job answers $expected.code$expected.recorded and leaves it $status",
    async ({ from, expected, status }) => {
      const { userId, jobId, job } = await jobIn(from);
      const outcome = await job.callback(report(userId, jobId, 1, "done", 7));
      expect(outcome).toMatchObject(expected);
      expect(await job.get(userId)).toMatchObject({ ok: true, job: { status } });
    },
  );
});

describe("JobCoordinator execute", () => {
  it("sends exactly one queue message with every item, the callback URL and the plan's watermark", async () => {
    const { userId, jobId, job } = await createJob(2);
    await job.confirmUpload(userId);
    const outcome = await job.execute(userId, RULE);
    if (!outcome.ok) throw new Error(outcome.code);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]?.[0]).toEqual(outcome.message);
    const message = queueMessageSchema.parse(outcome.message);
    expect(message).toEqual({
      job_id: jobId,
      user_id: userId,
      preset: "interior",
      concepts: RULE.concepts,
      protect: RULE.protect,
      items: queueItems(userId, jobId, 2),
      callback_url: `${env.PUBLIC_BASE_URL}/jobs/${jobId}/callback`,
      idempotency_prefix: jobId,
      batch_concurrency: 4,
      output_template: "전후비교",
      watermark: true,
      locale: "ko",
      attempt: 1,
      output_format: "png",
    });
    expect(outcome.job).toMatchObject({
      status: "queued",
      concepts: RULE.concepts,
      protect: RULE.protect,
      output_template: "전후비교",
    });
  });

  it("leaves output_template out of the message when none was chosen", async () => {
    const { userId, job } = await createJob(1);
    await job.confirmUpload(userId);
    const outcome = await job.execute(userId, { ...RULE, output_template: null });
    expect(outcome.ok && "output_template" in outcome.message).toBe(false);
  });

  it("when the queue send fails the job stays uploaded and the error propagates", async () => {
    const { userId, job } = await createJob(1);
    await job.confirmUpload(userId);
    send.mockRejectedValueOnce(new Error("queue down"));
    // Called inside the object: a rejecting RPC through the stub leaks an unhandled rejection
    // in vitest-pool-workers (cloudflare/workers-sdk#14736) even when the test awaits it.
    await expect(
      runInDurableObject(job, (instance) => (instance as unknown as JobCoordinator).execute(userId, RULE)),
    ).rejects.toThrow("queue down");
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "uploaded" } });
    expect(await job.execute(userId, RULE)).toMatchObject({ ok: true, job: { status: "queued" } });
  });
});

describe("JobCoordinator concurrency", () => {
  it("two executes at once queue the job once and send one message; a different rule at once is refused", async () => {
    const { userId, job } = await createJob(2);
    await job.confirmUpload(userId);
    const outcomes = await Promise.all([job.execute(userId, RULE), job.execute(userId, RULE)]);
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.job.status : outcome.code))).toEqual(["queued", "queued"]);
    const other = { ...RULE, protect: [] };
    expect(await job.execute(userId, other)).toEqual({ ok: false, code: "INVALID_TRANSITION" });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("the last two callbacks arriving at once finish the job once and refund once", async () => {
    const { userId, jobId, job } = await queuedJob(3);
    await job.callback(report(userId, jobId, 0, "done"));
    await Promise.all([
      job.callback(report(userId, jobId, 1, "failed")),
      job.callback(report(userId, jobId, 2, "failed")),
    ]);
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10 - 3 + 2, active_jobs: 0 });
    expect((await billingRows(userId)).map(({ type, amount }) => [type, amount]).sort()).toEqual([
      ["charge", 1],
      ["refund", 2],
      ["reserve", 3],
    ]);
  });

  it("when D1 is down at the end of a job, the alarm writes its rows later", async () => {
    const { userId, jobId, job } = await queuedJob(1);
    // The first write is the UserLimiter's billing row, the second the job's log.
    vi.spyOn(env.DB, "batch").mockRejectedValueOnce(new Error("D1 down")).mockRejectedValueOnce(new Error("D1 down"));
    expect(await job.callback(report(userId, jobId, 0, "done"))).toMatchObject({ ok: true, job: { status: "done" } });
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 9, active_jobs: 0 });
    expect(await jobsLogRow(jobId)).toBeNull();
    expect(await billingRows(userId)).toHaveLength(1);

    expect(await runDurableObjectAlarm(job)).toBe(true);
    expect(await runDurableObjectAlarm(limiterOf(userId))).toBe(true);
    expect(await jobsLogRow(jobId)).toMatchObject({ status: "done" });
    expect((await billingRows(userId)).map(({ type }) => type).sort()).toEqual(["charge", "reserve"]);
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 9, active_jobs: 0 });
    await expectOnlyRetentionAlarm(job);
  });
});

describe("JobCoordinator callbacks", () => {
  it("the same idempotency key twice records once", async () => {
    const { userId, jobId, job } = await queuedJob(3);
    expect(await job.callback(report(userId, jobId, 0, "done"))).toMatchObject({ ok: true, recorded: true });
    expect(await job.callback(report(userId, jobId, 0, "done"))).toMatchObject({
      ok: true,
      recorded: false,
      job: { progress: { done: 1, failed: 0 } },
    });
  });

  it("a later report for an item already final changes nothing", async () => {
    const { userId, jobId, job } = await queuedJob(3);
    await job.callback(report(userId, jobId, 0, "done"));
    const late = await job.callback(report(userId, jobId, 0, "failed", 2));
    expect(late).toMatchObject({ ok: true, recorded: false, job: { progress: { done: 1, failed: 0 } } });
    const view = await job.get(userId);
    expect(view.ok && view.job.items[0]).toMatchObject({ status: "done", error: null });
  });

  it("keys that are not the item's own are refused with VALIDATION_ERROR", async () => {
    const { userId, jobId, job } = await queuedJob(2);
    const stranger = await newUser();
    const foreign = { ...report(userId, jobId, 0, "done"), output_key: storageKeys.output(stranger, jobId, 0) };
    expect(await job.callback(foreign)).toMatchObject({ ok: false, code: "VALIDATION_ERROR" });
    const otherItem = { ...report(userId, jobId, 0, "done"), preview_key: storageKeys.preview(userId, jobId, 1) };
    expect(await job.callback(otherItem)).toMatchObject({ ok: false, code: "VALIDATION_ERROR" });
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "queued", progress: { done: 0 } } });
  });

  it("an idx outside the job is refused with VALIDATION_ERROR", async () => {
    const { userId, jobId, job } = await queuedJob(2);
    expect(await job.callback(report(userId, jobId, 2, "failed"))).toMatchObject({
      ok: false,
      code: "VALIDATION_ERROR",
    });
  });

  it(
    "when every item is final with some done the job is done, " + "D1 has its rows and the failed items are refunded",
    async () => {
      const { userId, jobId, job } = await queuedJob(3);
      const batch = vi.spyOn(env.DB, "batch");
      await job.callback(report(userId, jobId, 0, "done"));
      await job.callback(report(userId, jobId, 1, "failed"));
      expect(await jobsLogRow(jobId)).toBeNull();
      const last = await job.callback(report(userId, jobId, 2, "done"));
      expect(last).toMatchObject({
        ok: true,
        recorded: true,
        job: { status: "done", progress: { done: 2, failed: 1, total: 3, needs_review: 0 } },
      });

      const logBatches = batch.mock.calls.filter(([statements]) =>
        statements.some((statement) => /jobs_log/.test(JSON.stringify(statement))),
      );
      expect(logBatches).toHaveLength(1);
      expect(await jobsLogRow(jobId)).toMatchObject({
        status: "done",
        user_id: userId,
        cost_estimate: 3,
        error: null,
        concepts_json: JSON.stringify(RULE.concepts),
      });
      expect(await itemLogRows(jobId)).toEqual([
        { idx: 0, status: "done", output_key: storageKeys.output(userId, jobId, 0), error: null },
        { idx: 1, status: "failed", output_key: null, error: "SEGMENT_FAILED" },
        { idx: 2, status: "done", output_key: storageKeys.output(userId, jobId, 2), error: null },
      ]);
      expect(await limiterOf(userId).state()).toMatchObject({ credits: 10 - 3 + 1, active_jobs: 0 });
      expect(await balanceFromBilling(userId)).toBe(8);
    },
  );

  it("when every item failed the job is failed and every credit comes back", async () => {
    const { userId, jobId, job } = await queuedJob(2);
    await job.callback(report(userId, jobId, 0, "failed"));
    expect(await job.callback(report(userId, jobId, 1, "failed"))).toMatchObject({
      ok: true,
      job: { status: "failed" },
    });
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10, active_jobs: 0 });
    expect(await jobsLogRow(jobId)).toMatchObject({ status: "failed", error: "SEGMENT_FAILED" });
    expect(await balanceFromBilling(userId)).toBe(10);
  });

  it("each recorded callback pushes the lease forward", async () => {
    const { userId, jobId, job } = await queuedJob(2);
    const before = Date.now();
    await job.callback(report(userId, jobId, 0, "done"));
    const alarm = await runInDurableObject(job, (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual(before + Number(env.JOB_LEASE_SEC) * 1000);
  });
});

describe("JobCoordinator cancel and refunds", () => {
  it("cancel refunds every item not yet done and writes the job's D1 rows", async () => {
    const { userId, jobId, job } = await queuedJob(4);
    await job.callback(report(userId, jobId, 0, "done"));
    await job.callback(report(userId, jobId, 1, "failed"));
    expect(await job.cancel(userId)).toMatchObject({ ok: true, refunded: 3, job: { status: "canceled" } });
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10 - 4 + 3, active_jobs: 0 });
    expect(await jobsLogRow(jobId)).toMatchObject({ status: "canceled", error: "CANCELED" });
    expect(await itemLogRows(jobId)).toHaveLength(4);
    expect((await billingRows(userId)).map(({ type, amount }) => [type, amount])).toEqual(
      expect.arrayContaining([
        ["reserve", 4],
        ["refund", 3],
        ["charge", 1],
      ]),
    );
  });

  it("a cancel before any result is a full refund", async () => {
    const { userId, job } = await createJob(5);
    expect(await job.cancel(userId)).toMatchObject({ ok: true, refunded: 5 });
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10, active_jobs: 0 });
  });

  it("a job left in created past its TTL is canceled by the alarm with a full refund", async () => {
    const { userId, jobId, job } = await createJob(4);
    expect(await runDurableObjectAlarm(job)).toBe(true);
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "canceled" } });
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10, active_jobs: 0 });
    expect(await jobsLogRow(jobId)).toMatchObject({ status: "canceled", error: "TTL_EXPIRED" });
    expect(await balanceFromBilling(userId)).toBe(10);
  });

  it("a job left in uploaded past its TTL is canceled the same way", async () => {
    const { userId, job } = await createJob(2);
    await job.confirmUpload(userId);
    await runDurableObjectAlarm(job);
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "canceled" } });
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10, active_jobs: 0 });
  });
});

describe("JobCoordinator lease", () => {
  it("with no progress within the lease only the unfinished items are re-sent with the next attempt", async () => {
    const { userId, jobId, job } = await queuedJob(3);
    await job.callback(report(userId, jobId, 1, "done"));
    send.mockClear();
    expect(await runDurableObjectAlarm(job)).toBe(true);
    expect(send).toHaveBeenCalledTimes(1);
    const message = queueMessageSchema.parse(send.mock.calls[0]?.[0]);
    expect(message.attempt).toBe(2);
    expect(message.items.map((item) => item.idx)).toEqual([0, 2]);
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "running" } });
    // The re-sent attempt's callbacks are recorded as usual.
    expect(await job.callback(report(userId, jobId, 0, "done", 2))).toMatchObject({ ok: true, recorded: true });
  });

  it("after the retry budget the remaining items fail with LEASE_EXPIRED and are refunded", async () => {
    const { userId, jobId, job } = await queuedJob(3);
    await job.callback(report(userId, jobId, 0, "done"));
    send.mockClear();
    const budget = Number(env.JOB_RETRY_BUDGET);
    for (let requeue = 1; requeue <= budget; requeue++) await runDurableObjectAlarm(job);
    expect(send.mock.calls.map(([message]) => (message as { attempt: number }).attempt)).toEqual([2, 3, 4]);
    await runDurableObjectAlarm(job);
    expect(send).toHaveBeenCalledTimes(budget);

    const outcome = await job.get(userId);
    expect(outcome).toMatchObject({
      ok: true,
      job: { status: "done", progress: { done: 1, failed: 2, total: 3, needs_review: 0 } },
    });
    expect(outcome.ok && outcome.job.items.map((item) => item.error)).toEqual([null, "LEASE_EXPIRED", "LEASE_EXPIRED"]);
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10 - 3 + 2, active_jobs: 0 });
    expect(await itemLogRows(jobId)).toHaveLength(3);
    await expectOnlyRetentionAlarm(job);
  });

  it("a lease that expires with nothing done fails the job and refunds everything", async () => {
    const { userId, job } = await queuedJob(2);
    for (let expiry = 0; expiry <= Number(env.JOB_RETRY_BUDGET); expiry++) await runDurableObjectAlarm(job);
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "failed" } });
    expect(await limiterOf(userId).state()).toMatchObject({ credits: 10, active_jobs: 0 });
  });
});

describe("JobCoordinator lease asks the dispatcher what the provider knows", () => {
  /** The configured provider (bridge in the test pool) answers `status` for the job's dispatch refs. */
  function providerSays(status: ProviderStatus) {
    const asked: string[][] = [];
    const dispatcher: Dispatcher = {
      send: async () => {},
      cancel: async () => {},
      status: async (refs) => {
        asked.push([...refs]);
        return status;
      },
      runLimitMs: () => 600_000,
    };
    vi.spyOn(dispatchProviders.bridge, "create").mockReturnValue(dispatcher);
    return asked;
  }

  for (const status of ["failed", "gone"] as const) {
    it(
      `a provider that says ${status} fails the unfinished items with GPU_JOB_FAILED, ` +
        "refunds them and re-sends nothing",
      async () => {
        const { userId, jobId, job } = await queuedJob(3);
        await job.recordDispatch("ref-1");
        await job.recordDispatch("ref-2");
        await job.callback(report(userId, jobId, 0, "done"));
        send.mockClear();
        const asked = providerSays(status);

        expect(await runDurableObjectAlarm(job)).toBe(true);
        expect(asked).toEqual([["ref-1", "ref-2"]]);
        expect(send).not.toHaveBeenCalled();
        const outcome = await job.get(userId);
        expect(outcome).toMatchObject({ ok: true, job: { status: "done", progress: { done: 1, failed: 2 } } });
        expect(outcome.ok && outcome.job.items.map((item) => item.error)).toEqual([
          null,
          "GPU_JOB_FAILED",
          "GPU_JOB_FAILED",
        ]);
        expect(await limiterOf(userId).state()).toMatchObject({ credits: 10 - 3 + 2, active_jobs: 0 });
      },
    );
  }

  it("a provider that says unknown leaves the lease to re-send the unfinished items", async () => {
    const { userId, job } = await queuedJob(2);
    await job.recordDispatch("ref-1");
    send.mockClear();
    providerSays("unknown");
    expect(await runDurableObjectAlarm(job)).toBe(true);
    expect(send).toHaveBeenCalledTimes(1);
    expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "queued" } });
  });

  for (const status of ["waiting", "running", "unavailable"] as const) {
    it(`a provider that says ${status} extends the lease: the items are not sent a second time`, async () => {
      const { userId, job } = await queuedJob(2);
      await job.recordDispatch("ref-1");
      send.mockClear();
      providerSays(status);
      expect(await runDurableObjectAlarm(job)).toBe(true);
      expect(await runDurableObjectAlarm(job)).toBe(true);
      expect(send).not.toHaveBeenCalled();
      expect(await job.get(userId)).toMatchObject({ ok: true, job: { status: "queued" } });
    });
  }

  it("a job with no dispatch refs does not ask the provider", async () => {
    const { job } = await queuedJob(1);
    const asked = providerSays("failed");
    await runDurableObjectAlarm(job);
    expect(asked).toEqual([]);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
