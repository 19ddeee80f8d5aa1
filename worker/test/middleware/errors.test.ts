// middleware/errors.ts: an unknown route and an internal failure both answer the envelope with a catalog code.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { call, expectError, newUser } from "../routes/helpers";

describe("envelope and request ids", () => {
  it("an unknown route answers 404 NOT_FOUND in the envelope", async () => {
    expectError(await call("GET", "/nope"), 404, "NOT_FOUND");
    expectError(await call("PATCH", "/rules"), 404, "NOT_FOUND");
  });

  it("a misconfigured Worker answers 500 INTERNAL_ERROR without leaking the cause", async () => {
    const response = await app.request("/presets", {}, { ...env, JWT_SECRET: "" });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(response.status).toBe(500);
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(body.error.message).not.toMatch(/JWT_SECRET/);
  });
});

describe("bad bodies never produce a 500", () => {
  it("malformed JSON is VALIDATION_ERROR", async () => {
    const user = await newUser();
    expectError(
      await call("POST", "/rules", {
        token: user.token,
        raw: "{not json",
        headers: { "Content-Type": "application/json" },
      }),
      400,
      "VALIDATION_ERROR",
    );
  });
});
