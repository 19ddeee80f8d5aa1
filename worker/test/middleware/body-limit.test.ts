// middleware/body-limit.ts: a body over 256 KB is refused, declared or streamed.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, call, expectError, newUser } from "../routes/helpers";

describe("bad bodies never produce a 500", () => {
  it("a body over 256 KB answers 413 VALIDATION_ERROR, by Content-Length or by actual size", async () => {
    const user = await newUser();
    const huge = { name: "x".repeat(300 * 1024), preset_id: "interior", concepts: {} };
    expectError(await call("POST", "/rules", { token: user.token, json: huge }), 413, "VALIDATION_ERROR");
    // A streamed body has no Content-Length: the limit is enforced on the bytes read.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await SELF.fetch(`${BASE}/rules`, {
      method: "POST",
      headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const body = (await response.json()) as { error: { code: string } };
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 413, code: "VALIDATION_ERROR" });
  });
});
