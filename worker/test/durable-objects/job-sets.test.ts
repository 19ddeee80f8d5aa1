// The JobCoordinator's part of output sets (docs/sets.md): variants stored with the job and re-sent with
// a lease's re-queue, set files recorded with the done item in one transaction, once.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { queueMessageSchema, storageKeys, type SetFile } from "@s3/contract";
import type { ExecuteInput } from "../../src/rpc";
import { coordinatorOf, freshId, limiterOf, newUser } from "./helpers";

const VARIANTS = [
  { name: "Red", concepts: { Body: { action: "recolor", value: "red_a" } } },
  { name: "Sky", concepts: { Body: { action: "recolor", value: "sky_a" } } },
] as ExecuteInput["variants"] & object;

const BOARD: ExecuteInput = {
  concepts: { Body: { action: "recolor", value: "red_a" } },
  protect: ["Logo"],
  rule_id: null,
  output_template: "옵션보드",
  variants: VARIANTS,
};

let send: MockInstance;
beforeEach(() => {
  send = vi.spyOn(env.GPU_JOBS, "send");
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function queuedBoard(itemCount: number) {
  const userId = await newUser();
  const jobId = freshId("job");
  await limiterOf(userId).reserve(jobId, itemCount);
  const job = coordinatorOf(jobId);
  await job.create({ job_id: jobId, user_id: userId, preset: "seller", item_count: itemCount, watermark: true });
  await job.confirmUpload(userId);
  expect(await job.execute(userId, BOARD)).toMatchObject({ ok: true });
  return { userId, jobId, job };
}

function boardFile(userId: string, jobId: string, idx: number): SetFile {
  return {
    role: "board",
    part: "board",
    variant: null,
    key: storageKeys.set(userId, jobId, idx, "option_board", "board", "jpg"),
    width: 1200,
    height: 900,
    bytes: 5000,
    content_type: "image/jpeg",
  };
}

function done(userId: string, jobId: string, idx: number, files: SetFile[], attempt = 1) {
  return {
    idx,
    status: "done" as const,
    output_key: storageKeys.output(userId, jobId, idx),
    preview_key: storageKeys.preview(userId, jobId, idx),
    error: null,
    idempotency_key: `${jobId}:${idx}:attempt${attempt}`,
    files,
  };
}

describe("JobCoordinator and output sets", () => {
  it("sends the variants with the first message and with a lease's re-send", async () => {
    const { userId, jobId, job } = await queuedBoard(2);
    expect(queueMessageSchema.parse(send.mock.calls[0]?.[0]).variants).toEqual(VARIANTS);
    await job.callback(done(userId, jobId, 0, [boardFile(userId, jobId, 0)]));
    send.mockClear();
    expect(await runDurableObjectAlarm(job)).toBe(true);
    const resent = queueMessageSchema.parse(send.mock.calls[0]?.[0]);
    expect({ attempt: resent.attempt, variants: resent.variants, template: resent.output_template }).toEqual({
      attempt: 2,
      variants: VARIANTS,
      template: "옵션보드",
    });
  });

  it("records a done item's files with it, once: a redelivered report with other files changes nothing", async () => {
    const { userId, jobId, job } = await queuedBoard(2);
    const file = boardFile(userId, jobId, 1);
    expect(await job.callback(done(userId, jobId, 1, [file]))).toMatchObject({ ok: true, recorded: true });
    const other = { ...file, width: 1, bytes: 1 };
    expect(await job.callback(done(userId, jobId, 1, [other], 2))).toMatchObject({ ok: true, recorded: false });
    const set = await job.outputSet(userId);
    expect(set.ok && set.files).toEqual([{ idx: 1, ...file }]);
    expect(set.ok && set.job.items.map((item) => item.status)).toEqual(["pending", "done"]);
  });

  it("a refused report records neither the item nor its files", async () => {
    const { userId, jobId, job } = await queuedBoard(1);
    const foreign = {
      ...boardFile(userId, jobId, 0),
      key: storageKeys.set(userId, jobId, 0, "thumbnails", "board", "jpg"),
    };
    expect(await job.callback(done(userId, jobId, 0, [boardFile(userId, jobId, 0), foreign]))).toMatchObject({
      ok: false,
      code: "VALIDATION_ERROR",
    });
    const set = await job.outputSet(userId);
    expect(set.ok && { files: set.files, status: set.job.items[0]?.status }).toEqual({ files: [], status: "pending" });
  });

  it("answers the set to its owner, to a signed link's caller (null), and JOB_NOT_FOUND to anyone else", async () => {
    const { userId, job } = await queuedBoard(1);
    expect(await job.outputSet(userId)).toMatchObject({ ok: true, job: { user_id: userId } });
    expect(await job.outputSet(null)).toMatchObject({ ok: true, job: { user_id: userId } });
    expect(await job.outputSet(await newUser())).toEqual({ ok: false, code: "JOB_NOT_FOUND" });
  });
});
