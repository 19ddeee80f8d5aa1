// middleware/request-id.ts: every answer carries its own request id, as a header and in the envelope.
import { describe, expect, it } from "vitest";
import { call, expectOk } from "../routes/helpers";

describe("envelope and request ids", () => {
  it("GET /health answers 200 with the envelope and an X-Request-Id equal to meta.request_id", async () => {
    const answer = await call("GET", "/health");
    expect(expectOk(answer)).toEqual({ status: "ok" });
    expect(answer.body.meta.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers.get("X-Request-Id")).toBe(answer.body.meta.request_id);
    expect(new Date(answer.body.meta.timestamp).toISOString()).toBe(answer.body.meta.timestamp);
  });

  it("gives every request its own request id", async () => {
    const [a, b] = await Promise.all([call("GET", "/health"), call("GET", "/health")]);
    expect(a.body.meta.request_id).not.toBe(b.body.meta.request_id);
  });
});
