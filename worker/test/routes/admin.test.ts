// The operations route POST /admin/users/{id}/plan (not one of the 14 endpoints).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { newId } from "../../src/lib/ids";
import { call, expectError, expectOk, newUser } from "./helpers";

describe("POST /admin/users/{id}/plan", () => {
  it("makes a user pro and grants credits, in the ledger and in D1", async () => {
    const user = await newUser();
    const state = expectOk(
      await call("POST", `/admin/users/${user.user_id}/plan`, {
        token: env.ADMIN_SECRET,
        json: { plan: "pro", grant_credits: 90 },
      }),
    );
    expect(state).toEqual({
      user_id: user.user_id,
      plan: "pro",
      credits: 100,
      active_jobs: 0,
      rule_slots: { used: 0, max: 20 },
    });
    expect(expectOk(await call("GET", "/me", { token: user.token }))).toEqual(state);
    expect(await env.DB.prepare("SELECT plan FROM users WHERE id = ?").bind(user.user_id).first()).toEqual({
      plan: "pro",
    });
  });

  it("without the admin secret is AUTH_REQUIRED, with a wrong one (or a user's JWT) TOKEN_INVALID", async () => {
    const user = await newUser();
    const path = `/admin/users/${user.user_id}/plan`;
    expectError(await call("POST", path, { json: { plan: "pro" } }), 401, "AUTH_REQUIRED");
    expectError(await call("POST", path, { token: "guess", json: { plan: "pro" } }), 401, "TOKEN_INVALID");
    expectError(await call("POST", path, { token: user.token, json: { plan: "pro" } }), 401, "TOKEN_INVALID");
    expect(expectOk(await call("GET", "/me", { token: user.token })).plan).toBe("free");
  });

  it("an unknown user or plan is refused", async () => {
    expectError(
      await call("POST", `/admin/users/${newId("u")}/plan`, { token: env.ADMIN_SECRET, json: { plan: "pro" } }),
      404,
      "NOT_FOUND",
    );
    const user = await newUser();
    expectError(
      await call("POST", `/admin/users/${user.user_id}/plan`, { token: env.ADMIN_SECRET, json: { plan: "gold" } }),
      400,
      "VALIDATION_ERROR",
    );
  });

  it("does not exist when ADMIN_SECRET is not configured", async () => {
    const user = await newUser();
    const response = await app.request(
      `/admin/users/${user.user_id}/plan`,
      {
        method: "POST",
        headers: { Authorization: "Bearer ", "Content-Type": "application/json" },
        body: JSON.stringify({ plan: "pro" }),
      },
      { ...env, ADMIN_SECRET: undefined },
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});
