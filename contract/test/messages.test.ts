import { describe, expect, it } from "vitest";
import { BATCH_CONCURRENCY, callbackBodySchema, CALLBACK_ERROR_MAX, itemErrorCode, queueMessageSchema } from "../src";
import { queueMessage } from "../src/testing";

describe("the queue message", () => {
  it("takes batch_concurrency inside the range both services' configs allow", () => {
    const parse = (batch_concurrency: number) => queueMessageSchema.safeParse(queueMessage({ batch_concurrency }));
    expect(parse(BATCH_CONCURRENCY.min).success).toBe(true);
    expect(parse(BATCH_CONCURRENCY.max).success).toBe(true);
    expect(parse(BATCH_CONCURRENCY.min - 1).success).toBe(false);
    expect(parse(BATCH_CONCURRENCY.max + 1).success).toBe(false);
    expect(BATCH_CONCURRENCY.default).toBeGreaterThanOrEqual(BATCH_CONCURRENCY.min);
  });

  it("refuses ids that could leave the job's key folders", () => {
    expect(queueMessageSchema.safeParse(queueMessage({ job_id: "job_../x" })).success).toBe(false);
    expect(queueMessageSchema.safeParse(queueMessage({ user_id: "u_a/b" })).success).toBe(false);
  });
});

describe("the callback body", () => {
  const done = { idx: 0, status: "done", output_key: "o", preview_key: "p" };

  it("needs both keys for a done item, none for a failed one", () => {
    expect(callbackBodySchema.safeParse(done).success).toBe(true);
    expect(callbackBodySchema.safeParse({ ...done, preview_key: null }).success).toBe(false);
    expect(callbackBodySchema.safeParse({ idx: 0, status: "failed" }).success).toBe(true);
  });

  it("cuts a long error text instead of refusing it, and reads an unknown code as GPU_ERROR", () => {
    const parsed = callbackBodySchema.parse({ idx: 0, status: "failed", error: "x".repeat(2000), error_code: "OOM" });
    expect(parsed.error).toHaveLength(CALLBACK_ERROR_MAX);
    expect(itemErrorCode(parsed.error_code)).toBe("GPU_ERROR");
    expect(itemErrorCode("INPUT_TOO_LARGE")).toBe("INPUT_TOO_LARGE");
  });
});
