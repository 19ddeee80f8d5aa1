// The documents every client relies on, and the schemas' refusals of bad bodies, whatever the route.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, call, expectError, newUser } from "./helpers";

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
        "POST /jobs/{id}/callback",
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

describe("bad bodies never produce a 500", () => {
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
