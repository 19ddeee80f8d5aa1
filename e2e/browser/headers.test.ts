// The console and /docs under their security headers (docs/trust.md, "Headers") in Debian's chromium
// (headless, playwright-core): both pages still work with no policy violation, and the browser
// refuses what each header is there to refuse (framing from another origin, injected inline script,
// a Referer on the API's requests). Screenshots land in e2e/artifacts/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startApi, type Service } from "@s3/scripts/stack";

const API_PORT = 8791;
const FOREIGN_PORT = 8792;
const ORIGIN = `http://127.0.0.1:${API_PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(ROOT, "e2e", "artifacts");

const work = mkdtempSync(path.join(tmpdir(), "s3-headers-"));
let api: Service | undefined;
let foreign: Server | undefined;
let browser: Browser;
/** Chromium's console lines that report a refused resource or script (CSP, MIME, framing). */
const refusals: string[] = [];

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("console", (message) => {
    if (/Refused|Content Security Policy|X-Frame-Options/i.test(message.text())) refusals.push(message.text());
  });
  return page;
}

beforeAll(async () => {
  const ensure = spawnSync("bash", [path.join(ROOT, "scripts/ensure-chromium.sh")], { encoding: "utf8" });
  if (ensure.status !== 0) throw new Error(`chromium is not available: ${ensure.stderr}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  api = await startApi({ port: API_PORT, persistTo: path.join(work, "state"), quiet: true, name: "headers-api" });
  // Another origin that frames the console and /docs, as a clickjacking page would.
  foreign = createServer((_request, response) => {
    response.setHeader("Content-Type", "text/html");
    response.end(`<iframe id="console" src="${ORIGIN}/"></iframe><iframe id="docs" src="${ORIGIN}/docs"></iframe>`);
  });
  await new Promise<void>((resolve) => foreign!.listen(FOREIGN_PORT, "127.0.0.1", resolve));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  foreign?.close();
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("security headers in Chromium", () => {
  it("the console signs in and loads the presets under its policy, with no refusal and no Referer", async () => {
    const page = await newPage();
    const referers: string[] = [];
    page.on("request", async (request) => {
      const referer = (await request.allHeaders()).referer;
      if (referer) referers.push(`${request.url()} ← ${referer}`);
    });
    refusals.length = 0;
    await page.goto(`${ORIGIN}/`);
    await page.getByRole("button", { name: "Start an anonymous session" }).click();
    await expect.poll(() => page.locator("#account").textContent()).toMatch(/Free plan · 10 credits/);
    await expect.poll(() => page.locator("#preset option").count()).toBeGreaterThan(1);
    await page.getByLabel("Preset", { exact: true }).selectOption("interior");
    await expect.poll(() => page.locator(".chip").count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "headers-console.png"), fullPage: true });
    expect(refusals).toEqual([]);
    expect(referers).toEqual([]);
    await page.close();
  });

  it("/docs renders the API under its policy (its inline script allowed by hash), with no refusal", async () => {
    const page = await newPage();
    refusals.length = 0;
    await page.goto(`${ORIGIN}/docs`);
    await expect
      .poll(() => page.locator(".swagger-ui .info .title").textContent(), { timeout: 30_000 })
      .toMatch(/S3 API/);
    await expect.poll(() => page.locator(".opblock").count()).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(ARTIFACTS, "headers-docs.png") });
    expect(refusals).toEqual([]);
    await page.close();
  });

  it("Content-Security-Policy: an inline script injected into the console does not run", async () => {
    const page = await newPage();
    await page.goto(`${ORIGIN}/`);
    refusals.length = 0;
    const ran = await page.evaluate(async () => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (window as unknown as { injected?: boolean }).injected ?? false;
    });
    expect(ran).toBe(false);
    expect(refusals.join("\n")).toMatch(/(Refused to execute|Executing) inline script/);
    await page.close();
  });

  it("frame-ancestors and X-Frame-Options: another origin cannot frame the console or /docs", async () => {
    const page = await newPage();
    refusals.length = 0;
    await page.goto(`http://127.0.0.1:${FOREIGN_PORT}/`);
    await page.waitForTimeout(1500);
    const framed = page.frames().filter((frame) => frame !== page.mainFrame());
    expect(framed).toHaveLength(2);
    for (const frame of framed) {
      // A refused frame shows Chromium's error page, never the console's or Swagger UI's content.
      expect(await frame.locator("#sign-in, #swagger-ui").count(), frame.url()).toBe(0);
    }
    expect(refusals.join("\n")).toMatch(/frame-ancestors/);
    await page.close();
  });
});
