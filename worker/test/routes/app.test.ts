// The envelope, errors and documents every client relies on, whatever the route.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { BASE, call, expectError, expectOk, newUser } from "./helpers";

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

describe("documents", () => {
  it("GET /openapi.json is an OpenAPI 3.1 document of every endpoint", async () => {
    const response = await SELF.fetch(`${BASE}/openapi.json`);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(response.status).toBe(200);
    expect(document.openapi).toBe("3.1.0");
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        "POST /auth/anon",
        "GET /me",
        "GET /presets",
        "GET /presets/{id}",
        "POST /rules",
        "GET /rules",
        "PUT /rules/{id}",
        "DELETE /rules/{id}",
        "POST /jobs",
        "POST /jobs/{id}/confirm-upload",
        "POST /jobs/{id}/execute",
        "GET /jobs/{id}",
        "POST /jobs/{id}/cancel",
        "GET /health",
      ]),
    );
  });

  it("GET /docs serves the interactive docs page pointing at /openapi.json", async () => {
    const response = await SELF.fetch(`${BASE}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(await response.text()).toContain("/openapi.json");
  });
});

describe("CORS", () => {
  it("allows a configured origin and exposes X-Request-Id", async () => {
    const response = await SELF.fetch(`${BASE}/health`, { headers: { Origin: "http://localhost:3000" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:3000");
    expect(response.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
  });

  it("answers a preflight for Authorization and does not allow an unlisted origin", async () => {
    const preflight = await SELF.fetch(`${BASE}/jobs`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    const foreign = await SELF.fetch(`${BASE}/health`, { headers: { Origin: "https://evil.example" } });
    expect(foreign.headers.get("Access-Control-Allow-Origin")).toBeNull();
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

  it.each([
    ["null", null],
    ["an array", [1, 2, 3]],
    ["a number", 42],
    ["a string", "interior"],
    ["wrong types", { preset: 1, item_count: "3" }],
    ["a huge string", { preset: "i".repeat(100_000), item_count: 1 }],
    ["a fractional count", { preset: "interior", item_count: 1.5 }],
    ["nested junk", { preset: { $gt: "" }, item_count: [1] }],
  ])("POST /jobs with %s is VALIDATION_ERROR", async (_, json) => {
    const user = await newUser();
    expectError(await call("POST", "/jobs", { token: user.token, json }), 400, "VALIDATION_ERROR");
  });

  it.each([
    ["concepts as an array", { name: "r", preset_id: "interior", concepts: [] }],
    [
      "a prototype key",
      { name: "r", preset_id: "interior", concepts: { constructor: { action: "recolor", value: "oak_a" } } },
    ],
    [
      "__proto__ as a concept",
      JSON.parse('{"name":"r","preset_id":"interior","concepts":{"__proto__":{"action":"recolor","value":"oak_a"}}}'),
    ],
    [
      "an unknown action",
      { name: "r", preset_id: "interior", concepts: { Floor: { action: "explode", value: "oak_a" } } },
    ],
    [
      "protect as a string",
      {
        name: "r",
        preset_id: "interior",
        concepts: { Floor: { action: "recolor", value: "oak_a" } },
        protect: "Grout",
      },
    ],
    ["null concepts", { name: "r", preset_id: "interior", concepts: null }],
  ])("POST /rules with %s is VALIDATION_ERROR", async (_, json) => {
    const user = await newUser();
    expectError(await call("POST", "/rules", { token: user.token, json }), 400, "VALIDATION_ERROR");
  });
});
