// middleware/json-body.ts: a body is JSON or nothing.
import { describe, it } from "vitest";
import { call, expectError, newUser } from "../routes/helpers";

describe("bad bodies never produce a 500", () => {
  it("a body that is not JSON is VALIDATION_ERROR", async () => {
    const user = await newUser();
    expectError(
      await call("POST", "/jobs", {
        token: user.token,
        raw: "preset=interior&item_count=1",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(
      await call("POST", "/jobs", {
        token: user.token,
        raw: '{"preset":"interior","item_count":1}',
        headers: { "Content-Type": "text/plain" },
      }),
      400,
      "VALIDATION_ERROR",
    );
  });
});
