// Security headers (docs/trust.md, "Headers"): each header is checked on every kind of answer, each
// for the thing it refuses. Chromium checks the same policy against the real pages in e2e/browser.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { inlineScriptHashes } from "../../src/routes/docs";
import { BASE, newUser } from "../routes/helpers";

const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;

/** One answer of each kind the Worker gives: JSON success and errors, the OpenAPI document, /docs. */
async function answers(): Promise<[string, Response][]> {
  const user = await newUser();
  const requests: [string, RequestInit & { path: string }][] = [
    ["JSON 200", { path: "/presets" }],
    ["JSON 200 with a token", { path: "/me", headers: { Authorization: `Bearer ${user.token}` } }],
    ["401 AUTH_REQUIRED", { path: "/me" }],
    ["404 NOT_FOUND", { path: "/no/such/route" }],
    ["400 VALIDATION_ERROR", { path: "/jobs", method: "POST", headers: { Authorization: `Bearer ${user.token}` } }],
    ["413 body too large", { path: "/rules", method: "POST", body: "x".repeat(300_000) }],
    ["OpenAPI", { path: "/openapi.json" }],
    ["Swagger UI", { path: "/docs" }],
  ];
  return Promise.all(
    requests.map(async ([name, { path, ...init }]) => [name, await SELF.fetch(`${BASE}${path}`, init)] as const),
  ).then((list) => list.map(([name, response]) => [name, response]));
}

function directives(policy: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (policy ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

describe("security headers on every Worker answer", () => {
  it("Content-Security-Policy denies framing, inline script and foreign scripts on every answer", async () => {
    for (const [name, response] of await answers()) {
      const csp = directives(response.headers.get("Content-Security-Policy"));
      expect(csp.get("default-src"), name).toEqual(["'self'"]);
      expect(csp.get("frame-ancestors"), name).toEqual(["'none'"]);
      const scripts = csp.get("script-src") ?? [];
      expect(scripts[0], name).toBe("'self'");
      expect(scripts.filter((source) => !source.startsWith("'sha256-")).slice(1), name).toEqual([]);
      expect(csp.get("object-src"), name).toEqual(["'none'"]);
      await response.body?.cancel();
    }
  });

  it.each([
    ["X-Frame-Options", "DENY", "refuses framing in browsers that predate frame-ancestors"],
    ["X-Content-Type-Options", "nosniff", "stops a browser reading JSON as script or HTML"],
    ["Referrer-Policy", "no-referrer", "keeps job URLs out of other sites' logs"],
  ])("%s %s %s, on every answer", async (header, value) => {
    for (const [name, response] of await answers()) {
      expect(response.headers.get(header), name).toBe(value);
      await response.body?.cancel();
    }
  });

  it("Cache-Control no-store on every JSON answer, success or error, so no cache keeps a user's data", async () => {
    for (const [name, response] of await answers()) {
      if (!response.headers.get("Content-Type")?.includes("json")) continue;
      expect(response.headers.get("Cache-Control"), name).toBe("no-store");
      await response.body?.cancel();
    }
  });

  it("/docs allows exactly its own inline script by hash, never 'unsafe-inline'", async () => {
    const response = await SELF.fetch(`${BASE}/docs`);
    const page = await response.text();
    const policy = response.headers.get("Content-Security-Policy")!;
    expect(policy).not.toContain("unsafe-inline");
    expect(policy).not.toContain("unsafe-eval");
    const hashes = await inlineScriptHashes(page);
    expect(hashes).toHaveLength(1);
    expect(directives(policy).get("script-src")).toEqual(["'self'", ...hashes]);
    // Another inline script, as an injection would add, has another hash: the policy refuses it.
    const injected = await inlineScriptHashes("<script>fetch('/me')</script>");
    expect(policy).not.toContain(injected[0]);
  });
});

describe("security headers on the static assets", () => {
  it("the console page, its script and Swagger UI's files carry the same headers (the _headers file)", async () => {
    for (const path of ["/", "/app.js", "/style.css", "/docs/swagger-ui-dist/swagger-ui-bundle.js"]) {
      const response = await assets.fetch(`${BASE}${path}`);
      expect(response.status, path).toBe(200);
      const csp = directives(response.headers.get("Content-Security-Policy"));
      expect(csp.get("default-src"), path).toEqual(["'self'"]);
      expect(csp.get("script-src"), path).toEqual(["'self'"]);
      expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(response.headers.get("Referrer-Policy"), path).toBe("no-referrer");
      expect(response.headers.get("X-Frame-Options"), path).toBe("DENY");
      await response.body?.cancel();
    }
  });
});
