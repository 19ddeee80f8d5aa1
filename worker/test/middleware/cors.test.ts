// middleware/cors.ts: CORS_ORIGINS decides which browser origins may call the API.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "../routes/helpers";

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
