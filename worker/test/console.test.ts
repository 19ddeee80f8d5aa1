// The web console and /docs are served by the Worker itself (wrangler `assets`), with nothing from a CDN.
// vitest-pool-workers' SELF reaches the Worker without wrangler's asset router, so the files are
// fetched through the ASSETS binding here; e2e/browser drives the real routing under `wrangler dev`.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE } from "./routes/helpers";

const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;

describe("web console and docs", () => {
  it("the console page is an asset, and the script and stylesheet it names are assets too", async () => {
    const page = await assets.fetch(`${BASE}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
    const html = await page.text();
    const urls = [...html.matchAll(/(?:src|href)="(\/[^"/][^"]*)"/g)].map((match) => match[1]!);
    expect(urls).toEqual(expect.arrayContaining(["/app.js", "/style.css"]));
    for (const url of urls.filter((candidate) => candidate !== "/docs")) {
      const response = await assets.fetch(`${BASE}${url}`);
      expect(response.status, url).toBe(200);
      expect((await response.text()).length, url).toBeGreaterThan(100);
    }
  });

  it("GET /docs loads Swagger UI's files from the Worker's own assets, not a CDN", async () => {
    const response = await SELF.fetch(`${BASE}/docs`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(urls).toEqual(
      expect.arrayContaining(["/docs/swagger-ui-dist/swagger-ui-bundle.js", "/docs/swagger-ui-dist/swagger-ui.css"]),
    );
    expect(urls.filter((url) => /^(https?:)?\/\//.test(url))).toEqual([]);
    for (const url of urls) expect((await assets.fetch(`${BASE}${url}`)).status, url).toBe(200);
  });
});
