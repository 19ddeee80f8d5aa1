import { afterEach, describe, expect, it } from "vitest";
import { ApiError, createApiClient, unwrap } from "../src/index";
import { fakeApi, sendData, sendError, type FakeApi } from "./fake-api";

let server: FakeApi | undefined;
afterEach(async () => server?.close());

/** POST /jobs/job_r/cancel answers 500 once, then the canceled job. */
async function flakyCancel(): Promise<FakeApi> {
  let calls = 0;
  return fakeApi({
    "POST /jobs/job_r/cancel": (_request, response) => {
      calls += 1;
      if (calls === 1) sendError(response, 500, "INTERNAL_ERROR", "lost");
      else sendData(response, { job_id: "job_r", status: "canceled", refunded: 2 });
    },
  });
}

describe("the client", () => {
  it("retries a POST that carries an Idempotency-Key after a 500, with the same key", async () => {
    server = await flakyCancel();
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const canceled = await unwrap(
      api.POST("/jobs/{id}/cancel", { params: { path: { id: "job_r" }, header: { "idempotency-key": "k1" } } }),
    );
    expect(canceled.status).toBe("canceled");
    expect(server.seen.map((request) => request.headers["idempotency-key"])).toEqual(["k1", "k1"]);
  });

  it("never repeats a POST without an Idempotency-Key", async () => {
    server = await flakyCancel();
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    await expect(unwrap(api.POST("/jobs/{id}/cancel", { params: { path: { id: "job_r" } } }))).rejects.toMatchObject({
      status: 500,
      code: "INTERNAL_ERROR",
    });
    expect(server.seen).toHaveLength(1);
  });

  it("turns a refusal into an ApiError with the envelope's code, details and request id", async () => {
    server = await fakeApi({
      "POST /jobs": (_request, response) =>
        sendError(response, 429, "CONCURRENCY_LIMIT", "one job at a time", { active_job_ids: ["job_a"] }),
    });
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const error = await unwrap(api.POST("/jobs", { body: { preset: "interior", item_count: 1 } })).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 429,
      code: "CONCURRENCY_LIMIT",
      details: { active_job_ids: ["job_a"] },
      requestId: "req_test",
    });
    // No Retry-After: waiting does not help, so the client does not retry.
    expect(server.seen).toHaveLength(1);
  });
});
