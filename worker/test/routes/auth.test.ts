// POST /auth/anon, GET /me and the JWT rules of docs/architecture.md: HS256 only, 30 days, known users.
import { env } from "cloudflare:test";
import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { issueToken, TOKEN_LIFETIME_SEC } from "../../src/lib/auth";
import { newId } from "../../src/lib/ids";
import { call, expectError, expectOk, newUser } from "./helpers";

const secret = new TextEncoder().encode(env.JWT_SECRET);
const nowSec = () => Math.floor(Date.now() / 1000);

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
}

describe("POST /auth/anon", () => {
  it("creates a free user with 10 credits, a D1 row and a 30-day HS256 token", async () => {
    const user = await newUser();
    expect(user.user_id).toMatch(/^u_[a-z2-7]{26}$/);
    const [header, payload] = user.token.split(".");
    expect(decodePart(header!)).toMatchObject({ alg: "HS256" });
    const claims = decodePart(payload!);
    expect(claims.sub).toBe(user.user_id);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(TOKEN_LIFETIME_SEC);
    expect(TOKEN_LIFETIME_SEC).toBe(30 * 24 * 3600);
    const row = await env.DB.prepare("SELECT plan, credits, auth_provider FROM users WHERE id = ?")
      .bind(user.user_id)
      .first();
    expect(row).toEqual({ plan: "free", credits: 10, auth_provider: "anon" });
  });

  it("never hands out the same user id twice", async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => newUser()));
    expect(new Set(users.map((user) => user.user_id)).size).toBe(5);
  });
});

describe("GET /me", () => {
  it("answers the caller's plan, credits, active jobs and rule slots", async () => {
    const user = await newUser();
    expect(expectOk(await call("GET", "/me", { token: user.token }))).toEqual({
      user_id: user.user_id,
      plan: "free",
      credits: 10,
      active_jobs: 0,
      rule_slots: { used: 0, max: 2 },
    });
  });

  it("without an Authorization header is AUTH_REQUIRED", async () => {
    expectError(await call("GET", "/me"), 401, "AUTH_REQUIRED");
  });

  it("with a non-Bearer Authorization header is TOKEN_INVALID", async () => {
    expectError(await call("GET", "/me", { headers: { Authorization: "Basic dXNlcjpwYXNz" } }), 401, "TOKEN_INVALID");
  });
});

describe("JWT forgeries", () => {
  it("an expired token is TOKEN_EXPIRED", async () => {
    const user = await newUser();
    const token = await issueToken(env.JWT_SECRET, user.user_id, nowSec() - TOKEN_LIFETIME_SEC - 60);
    expectError(await call("GET", "/me", { token }), 401, "TOKEN_EXPIRED");
  });

  it("an expired token with a wrong signature is TOKEN_INVALID, not TOKEN_EXPIRED", async () => {
    const user = await newUser();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user.user_id)
      .setIssuedAt(nowSec() - 40 * 86400)
      .setExpirationTime(nowSec() - 10 * 86400)
      .sign(new TextEncoder().encode("another-secret-of-enough-length!!"));
    expectError(await call("GET", "/me", { token }), 401, "TOKEN_INVALID");
  });

  it("alg none is TOKEN_INVALID", async () => {
    const user = await newUser();
    const token = new UnsecuredJWT({}).setSubject(user.user_id).setIssuedAt().setExpirationTime("1h").encode();
    expectError(await call("GET", "/me", { token }), 401, "TOKEN_INVALID");
  });

  it("HS512 with the right secret is TOKEN_INVALID", async () => {
    const user = await newUser();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS512" })
      .setSubject(user.user_id)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(secret);
    expectError(await call("GET", "/me", { token }), 401, "TOKEN_INVALID");
  });

  it("a header claiming RS256 is TOKEN_INVALID", async () => {
    const user = await newUser();
    const good = await issueToken(env.JWT_SECRET, user.user_id);
    const [, payload, signature] = good.split(".");
    const header = btoa(JSON.stringify({ alg: "RS256", typ: "JWT" }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expectError(await call("GET", "/me", { token: `${header}.${payload}.${signature}` }), 401, "TOKEN_INVALID");
  });

  it("a token signed with another secret is TOKEN_INVALID", async () => {
    const user = await newUser();
    const token = await issueToken("a-completely-different-secret-value", user.user_id);
    expectError(await call("GET", "/me", { token }), 401, "TOKEN_INVALID");
  });

  it("a tampered payload (another user's id) is TOKEN_INVALID", async () => {
    const [victim, attacker] = await Promise.all([newUser(), newUser()]);
    const [header, , signature] = attacker.token.split(".");
    const payload = btoa(JSON.stringify({ ...decodePart(attacker.token.split(".")[1]!), sub: victim.user_id }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expectError(await call("GET", "/me", { token: `${header}.${payload}.${signature}` }), 401, "TOKEN_INVALID");
  });

  it("a garbage token is TOKEN_INVALID", async () => {
    expectError(await call("GET", "/me", { token: "not.a.jwt" }), 401, "TOKEN_INVALID");
    expectError(await call("GET", "/me", { token: "x".repeat(5000) }), 401, "TOKEN_INVALID");
  });

  it("a validly signed token for a user that does not exist is TOKEN_INVALID", async () => {
    const token = await issueToken(env.JWT_SECRET, newId("u"));
    expectError(await call("GET", "/me", { token }), 401, "TOKEN_INVALID");
  });
});
