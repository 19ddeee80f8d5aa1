// A whole album's life through the web console in Debian's chromium (headless, playwright-core), against
// a real local stack: wrangler dev serving the console and the API, and a cpu GPU worker process.
// The test's own calls go through @s3/client as the page's user. Every view is
// screenshotted at 1280 and 390 px into e2e/artifacts/ and checked with axe-core.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiClient, createdJobOf, unwrap, type ApiClient } from "@s3/client";
import { chromium, type Browser, type Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { interiorScene, truthUnion } from "@s3/contract/testing";
import { ROOT, startApi, startGpuWorker, storagePortFor, type Service } from "@s3/scripts/stack";
import { EN, ERRORS_EN as SENTENCES } from "../../worker/console/src/strings-en.ts";

const API_PORT = 8793;
const GPU_WORKER_PORT = 8794;
const ORIGIN = `http://127.0.0.1:${API_PORT}`;
/** The local storage, on an origin of its own beside the API (presigned uploads and previews). */
const STORAGE = `http://127.0.0.1:${storagePortFor(API_PORT)}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = path.join(ROOT, "e2e", "artifacts");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const work = mkdtempSync(path.join(tmpdir(), "s3-browser-"));
const services: Service[] = [];
const outsideRequests: string[] = [];
let browser: Browser;
let page: Page;
let photos: string[];
/** The job events' sockets the page opened, and every frame they received. */
const sockets: string[] = [];
const frames: string[] = [];

async function screenshot(name: string, on: Page = page, fullPage = true): Promise<void> {
  await on.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}

/**
 * One view: axe-core finds nothing serious, and it is kept at 1280 px and at a phone's 390 px, where
 * nothing may stick out sideways (the page scrolls only down).
 */
async function view(name: string, on: Page = page, fullPage = true): Promise<void> {
  expect(await accessibilityViolations(on)).toEqual([]);
  await screenshot(`${name}-1280`, on, fullPage);
  const size = on.viewportSize()!;
  await on.setViewportSize({ width: 390, height: 844 });
  const overflow = await on.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await screenshot(`${name}-390`, on, fullPage);
  await on.setViewportSize(size);
  expect(overflow, `${name} is wider than a 390 px phone`).toBeLessThanOrEqual(0);
}

/** The message shown beside a control (after the row it sits in), as the console places it. */
const feedbackOf = (id: string, on: Page = page) =>
  on
    .locator(`#${id}`)
    .locator("xpath=ancestor::div[contains(@class,'row')][1]/following-sibling::div[1][contains(@class,'feedback')]");

/** The element that has the keyboard's focus, as its text. */
const focusedText = (on: Page = page) => on.evaluate(() => document.activeElement?.textContent ?? "");

/** Answers the confirmation dialog with its destructive button, checking what it asked. */
async function confirmWith(button: string, question: RegExp): Promise<void> {
  const dialog = page.getByRole("dialog");
  await expect.poll(() => dialog.isVisible()).toBe(true);
  expect(await page.locator("#confirm-text").textContent()).toMatch(question);
  // The safe choice has the focus, so Enter never destroys by accident.
  expect(await focusedText()).toBe(EN.keep);
  await dialog.getByRole("button", { name: button, exact: true }).click();
  await expect.poll(() => dialog.isVisible()).toBe(false);
}

/** The API as the signed-in page's user (the token the console keeps in localStorage). */
async function asUser(): Promise<ApiClient> {
  const token = await page.evaluate(() => localStorage.getItem("s3.token"));
  return createApiClient({ baseUrl: ORIGIN, token: token ?? undefined });
}

/** axe-core in the page: serious and critical violations, with the elements they concern. */
async function accessibilityViolations(on: Page = page): Promise<string[]> {
  // Evaluated, not added as an inline <script>: the page's policy refuses inline script (docs/trust.md).
  await on.evaluate(AXE_SOURCE);
  const violations = await on.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    interface AxeViolation {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: string[] }[];
    }
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => {
      const where = violation.nodes.map((node) => node.target.join(" ")).join(", ");
      return `${violation.id} (${violation.impact}): ${violation.help} at ${where}`;
    });
}

async function writePhotos(count: number, first = 1): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const { image } = interiorScene(640, 480, first + index);
      const file = path.join(work, `room-${first + index}.png`);
      // PNG: the cpu segmenter resolves a generated scene exactly only without JPEG's artefacts.
      await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .png()
        .toFile(file);
      return file;
    }),
  );
}

/**
 * A room whose wall is painted a colour the local stand-in knows for no concept: it finds no Wall
 * (concept_not_found) until a person draws a box on the wall.
 */
async function writeOddWallPhoto(): Promise<string> {
  const scene = interiorScene(640, 480, 9);
  const wall = truthUnion(scene, "Wall");
  const data = scene.image.data;
  for (let pixel = 0; pixel < wall.length; pixel++) if (wall[pixel]) data.set([186, 52, 168], pixel * 3);
  const file = path.join(work, "odd-wall.png");
  await sharp(data, { raw: { width: 640, height: 480, channels: 3 } })
    .png()
    .toFile(file);
  return file;
}

/** The share of pixels that differ (any channel by more than 24) between two screenshots of one element. */
async function changedShare(before: Buffer, after: Buffer): Promise<number> {
  const [a, b] = await Promise.all([before, after].map((png) => sharp(png).removeAlpha().raw().toBuffer()));
  if (a!.length !== b!.length) return 1;
  let changed = 0;
  for (let p = 0; p < a!.length; p += 3) if ([0, 1, 2].some((c) => Math.abs(a![p + c]! - b![p + c]!) > 24)) changed++;
  return changed / (a!.length / 3);
}

/** Drags a box on a photo's hint frame, corners given as shares of the frame's width and height. */
async function drawBox(frameSelector: string, from: [number, number], to: [number, number]): Promise<void> {
  const frame = page.locator(frameSelector);
  await frame.scrollIntoViewIfNeeded();
  const box = (await frame.boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 4 });
  await page.mouse.up();
}

/** The console must need nothing beyond the API's origin and its storage's (no CDN, no fonts, no analytics). */
async function onlyOurOrigins(on: Page): Promise<void> {
  await on.route("**/*", (route) => {
    const url = route.request().url();
    const ours = [`${ORIGIN}/`, `${STORAGE}/`, "blob:", "data:"];
    if (ours.some((prefix) => url.startsWith(prefix))) return route.continue();
    outsideRequests.push(url);
    return route.abort();
  });
}

beforeAll(async () => {
  const ensure = spawnSync("bash", [path.join(ROOT, "scripts/ensure-chromium.sh")], { encoding: "utf8" });
  if (ensure.status !== 0) throw new Error(`chromium is not available: ${ensure.stderr}`);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  photos = await writePhotos(3);
  services.push(
    await startApi({ port: API_PORT, persistTo: path.join(work, "state"), quiet: true, name: "browser-api" }),
  );
  services.push(await startGpuWorker({ apiUrl: ORIGIN, port: GPU_WORKER_PORT, quiet: true, name: "browser-gpu" }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // launch() gives every run a new, empty user-data-dir of its own.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await onlyOurOrigins(page);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(services.map((service) => service.stop()));
  rmSync(work, { recursive: true, force: true });
});

beforeEach((context) => {
  onTestFailed(async () => {
    await screenshot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
    // A dialog left open would block every later step's clicks: one failure stays one.
    await page.evaluate(() =>
      document.querySelectorAll("dialog[open]").forEach((d) => (d as HTMLDialogElement).close()),
    );
  });
});

describe("the web console runs an album's whole life", () => {
  let jobId = "";

  it("the landing page shows a before/after example before the sign-in button, with a favicon", async () => {
    const missing: string[] = [];
    page.on("response", (response) => void (response.status() === 404 && missing.push(response.url())));
    // The first load waits for wrangler's first bundle of the console: longer than playwright's 30 s on a busy machine.
    await page.goto(`${ORIGIN}/`, { timeout: 120_000 });
    const example = page.locator("#start figure.example img");
    expect(await example.count()).toBe(2);
    for (const image of await example.all())
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    const order = await page.evaluate(() => {
      const figure = document.querySelector("#start figure")!;
      const button = document.querySelector("#sign-in")!;
      return figure.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    expect((await fetch(`${ORIGIN}/favicon.svg`)).status).toBe(200);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(missing).toEqual([]);
    await view("01-landing");
  });

  it("signs in anonymously and shows the plan and credits", async () => {
    await page.getByRole("button", { name: "Start an anonymous session" }).click();
    await expect.poll(() => page.locator("#account").textContent()).toMatch(/Free plan · 10 credits · 0 active jobs/);
    expect(await page.evaluate(() => localStorage.getItem("s3.token"))).toMatch(/^ey/);
    await view("02-signed-in");
  });

  it("the rule editor keeps the focus across re-renders; an unticked concept's swatches are disabled", async () => {
    await page.getByLabel("Preset", { exact: true }).selectOption("interior");
    await expect.poll(() => page.getByLabel("Edit Wall").count()).toBe(1);
    const sage = page.locator("#wall-sage_a");
    expect(await sage.isDisabled()).toBe(true);
    expect(await page.getByRole("radiogroup", { name: "Wall: colour" }).getAttribute("aria-disabled")).toBe("true");
    await page.getByLabel("Edit Wall").focus();
    await page.keyboard.press("Space");
    await expect.poll(() => page.getByLabel("Edit Wall").isChecked()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("edit-wall");
    await page.locator('label[for="wall-sage_a"]').click();
    expect(await sage.isChecked()).toBe(true);
    await page.locator('label[for="template-before_after"]').click();
    expect(await page.locator("#template-before_after").isChecked()).toBe(true);
    // Each template card carries a picture of its output.
    expect(await page.locator("#templates .template-card svg.preview").count()).toBe(4);
  });

  it("the album: photos added, reordered, removed, names kept; too many is said beside the button", async () => {
    await page.locator("#files").setInputFiles(photos.slice(0, 2));
    await page.locator("#files").setInputFiles([photos[2]!]);
    const names = () => page.locator("#uploads .file-name").allTextContents();
    expect(await names()).toEqual(["room-1.png", "room-2.png", "room-3.png"]);
    await page.getByRole("button", { name: "Move room-3.png up" }).click();
    expect(await names()).toEqual(["room-1.png", "room-3.png", "room-2.png"]);
    // The moved photo's button keeps the focus, so the keyboard can move it again.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Move room-3.png up");
    await page.keyboard.press("Enter");
    expect(await names()).toEqual(["room-3.png", "room-1.png", "room-2.png"]);
    await page.getByRole("button", { name: "Remove room-1.png" }).click();
    expect(await names()).toEqual(["room-3.png", "room-2.png"]);
    // Eleven more than the free plan's ten: the rest is refused next to "Choose photos…", which keeps the ring.
    const many = await writePhotos(9, 20);
    await page.locator("#files").setInputFiles(many);
    const message = page.locator("#drop + .feedback.error");
    await expect
      .poll(() => message.textContent())
      .toMatch(/^Too many photos: the Free plan takes up to 10 per album, so 1 photo was left out\./);
    expect(await page.evaluate(() => document.activeElement?.classList.contains("feedback"))).toBe(true);
    await page.getByRole("button", { name: "Remove all photos" }).click();
    await page.locator("#files").setInputFiles(photos);
    expect(await names()).toEqual(["room-1.png", "room-2.png", "room-3.png"]);
    await page.locator("#files").focus();
    const ring = await page.locator("#choose-photos").evaluate((label) => getComputedStyle(label).outlineStyle);
    expect(ring).toBe("solid");
    await view("03-album-chosen");
  });

  it("uploads three photos, each with its own progress bar", async () => {
    await page.getByRole("button", { name: "Upload album" }).click();
    await expect
      .poll(() => page.locator("#notice").textContent(), { timeout: 60_000 })
      .toMatch(/^Album uploaded \(3 photos\)/);
    const bars = page.locator("#uploads progress");
    expect(await bars.count()).toBe(3);
    for (let index = 0; index < 3; index++)
      expect(await bars.nth(index).evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
    jobId = await currentJobId();
    expect(jobId).toMatch(/^job_/);
  });

  it("draws a box on a photo as a hint", async () => {
    await drawBox('.hint-frame[data-idx="0"]', [0.1, 0.1], [0.5, 0.5]);
    await expect.poll(() => page.locator('.hint-frame[data-idx="0"] .hint-box').count()).toBe(1);
    expect(await page.locator(".photo").first().textContent()).toContain("1 box drawn");
    await view("04-uploaded-hint");
  });

  it("scans the album and shows per photo what was found", async () => {
    await page.getByRole("button", { name: "Scan the photos" }).click();
    await expect.poll(() => page.locator(".photo .found").count(), { timeout: 90_000 }).toBe(3);
    expect(await page.locator(".photo .found").first().textContent()).toMatch(/Wall \d+ %/);
    await view("05-scanned");
  });

  it("runs the job: progress reaches done without reloading, and each photo shows before and after", async () => {
    let reloads = 0;
    page.on("framenavigated", (frame) => void (frame === page.mainFrame() && reloads++));
    page.on("websocket", (socket) => {
      if (!socket.url().includes("/events")) return;
      sockets.push(socket.url());
      socket.on("framereceived", (frame) => frames.push(String(frame.payload)));
    });
    await page.getByRole("button", { name: "Run job" }).click();
    await expect
      .poll(() => page.locator("#job-status").textContent(), { timeout: 150_000 })
      .toMatch(/^Job done: 3 of 3/);
    expect(reloads).toBe(0);
    expect(await page.locator("#live").getAttribute("data-state")).toBe("ended");
    const figures = page.locator("figure.compare");
    await expect.poll(() => figures.count()).toBe(3);
    for (let index = 0; index < 3; index++) {
      for (const which of ["before", "after"]) {
        const image = page.getByAltText(`Photo ${index + 1} ${which}`);
        await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640);
      }
    }
    // Each photo says what was found, and that the masks came from the local stand-in.
    expect(await page.locator(".photo .found").first().textContent()).toMatch(/^Wall \d+ %/);
    expect(await page.locator("#stand-in").isVisible()).toBe(true);
    expect(await page.locator("#stand-in").textContent()).toMatch(/local stand-in, not SAM 3: rough on real photos/);
    // The slider is a labelled range input: the keyboard moves the split; a drag on the image does too.
    const slider = page.getByLabel("Photo 1: before ◂ ▸ after");
    await slider.focus();
    await page.keyboard.press("End");
    expect(await slider.inputValue()).toBe("100");
    const frame = (await page.locator("figure.compare .frame").first().boundingBox())!;
    await page.mouse.click(frame.x + frame.width * 0.25, frame.y + frame.height / 2);
    expect(Number(await slider.inputValue())).toBeGreaterThan(20);
    expect(Number(await slider.inputValue())).toBeLessThan(30);
    await view("06-done-before-after");
  });

  it("received that progress over the job's WebSocket, one event per photo", async () => {
    expect(sockets).toEqual([
      expect.stringMatching(new RegExp(`^ws://127\\.0\\.0\\.1:${API_PORT}/jobs/${jobId}/events$`)),
    ]);
    const events = frames.map((frame) => JSON.parse(frame) as { type: string; item?: { idx: number; status: string } });
    expect(events[0]?.type).toBe("snapshot");
    expect(events.at(-1)?.type).toBe("end");
    const finished = events.filter((event) => event.item?.status === "done").map((event) => event.item!.idx);
    expect(finished.sort()).toEqual([0, 1, 2]);
    // The page counted every event it handled: the progress shown came over the socket, not from polling.
    expect(await page.locator("#live").getAttribute("data-events")).toBe(String(events.length));
  });

  it("the viewer opens a photo, zooms, walks the album with the arrow keys and closes with Escape", async () => {
    await page.getByRole("button", { name: "Open Photo 1" }).click();
    const viewer = page.locator("#viewer");
    await expect.poll(() => viewer.isVisible()).toBe(true);
    expect(await page.locator("#viewer-title").textContent()).toBe("Photo 1 · room-1.png (1/3)");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("viewer-stage");
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#viewer-title").textContent()).toBe("Photo 2 · room-2.png (2/3)");
    await page.keyboard.press("+");
    expect(await page.locator("#viewer-zoom").textContent()).toBe("150 %");
    expect(await page.locator("#viewer-canvas").evaluate((canvas) => canvas.style.transform)).toContain("scale(1.5)");
    // Zoomed in, a drag pans the picture.
    const area = (await page.locator("#viewer-stage").boundingBox())!;
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width / 2 + 60, area.y + area.height / 2, { steps: 3 });
    await page.mouse.up();
    expect(await page.locator("#viewer-canvas").evaluate((canvas) => canvas.style.transform)).toMatch(
      /translate\(60px/,
    );
    await page.keyboard.press("ArrowLeft");
    expect(await page.locator("#viewer-title").textContent()).toBe("Photo 1 · room-1.png (1/3)");
    expect(await page.getByRole("link", { name: "Open in a new tab" }).getAttribute("target")).toBe("_blank");
    // What was found, laid over the photo: one toggle per found concept, the protected ones said so.
    // Photo 2 had no box drawn, so its Wall mask is the whole wall.
    await page.keyboard.press("ArrowRight");
    const masks = page.locator("#viewer-masks");
    expect(await masks.getByRole("button").allTextContents()).toEqual([
      "Wall",
      "Grout (protected)",
      "Moulding (protected)",
      "Glass highlight (protected)",
    ]);
    const stage = page.locator("#viewer-stage");
    const plain = await stage.screenshot();
    const wallToggle = masks.getByRole("button", { name: "Wall", exact: true });
    await wallToggle.click();
    expect(await wallToggle.getAttribute("aria-pressed")).toBe("true");
    // The tint covers the wall (most of the room): a real overlay, loaded from storage, not an empty layer.
    await expect
      .poll(async () => changedShare(plain, await stage.screenshot()), { timeout: 15_000 })
      .toBeGreaterThan(0.15);
    // The toggle stays across photos, so ← compares the same concept's mask on the previous one.
    await page.keyboard.press("ArrowLeft");
    expect(await page.locator('.mask-layer[data-concept="Wall"]').count()).toBe(1);
    // M: all off while some are on, else all on.
    await page.keyboard.press("m");
    expect(await page.locator(".mask-layer").count()).toBe(0);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("m");
    expect(await page.locator(".mask-layer").count()).toBe(4);
    // The viewer covers the screen: its screenshots are of the screen, not the page under it.
    await view("07-viewer", page, false);
    await page.keyboard.press("Escape");
    await expect.poll(() => viewer.isVisible()).toBe(false);
  });

  it("browses the set grouped by role, opens its files in the viewer and downloads its ZIP", async () => {
    const set = await unwrap((await asUser()).GET("/jobs/{id}/set", { params: { path: { id: jobId } } }));
    const roles = [...new Set(set.files.map((file) => file.role))];
    expect(roles).toEqual(expect.arrayContaining(["result", "preview", "before_after"]));
    const heading = page.getByRole("heading", { name: "Before / after (3)" });
    await expect.poll(() => heading.count(), { timeout: 30_000 }).toBe(1);
    const groups = page.locator("#set-files ul[data-role]");
    expect(await groups.evaluateAll((lists) => lists.map((list) => list.getAttribute("data-role")))).toEqual(
      expect.arrayContaining(roles),
    );
    const thumbnails = page.locator("#set-files img");
    expect(await thumbnails.count()).toBe(set.files.length);
    for (const thumbnail of await thumbnails.all()) {
      await thumbnail.scrollIntoViewIfNeeded();
      await expect
        .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
        .toBe(true);
    }
    // A file opens in the viewer (it does not download), and → walks the set's files.
    await page.locator("#set-files .set-file").first().click();
    await expect.poll(() => page.locator("#viewer").isVisible()).toBe(true);
    expect(await page.locator("#viewer-title").textContent()).toMatch(/^room-1\.png.*\(1\/\d+\)$/);
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#viewer-title").textContent()).toMatch(/\(2\/\d+\)$/);
    await page.keyboard.press("Escape");
    const zipLink = page.getByRole("link", { name: "Download the set (ZIP)" });
    // Named after the template (no rule is named yet) and the day, as a person files it.
    expect(await zipLink.getAttribute("download")).toMatch(/^Before-after_\d{4}-\d{2}-\d{2}\.zip$/);
    // The link is signed when the page asked for the set, so only its path is the test's own zip_url's.
    const href = new URL((await zipLink.getAttribute("href"))!, page.url());
    expect(href.pathname).toBe(new URL(set.zip_url).pathname);
    expect(href.searchParams.get("sig")).toBeTruthy();
    const [download] = await Promise.all([page.waitForEvent("download"), zipLink.click()]);
    const file = path.join(ARTIFACTS, "set.zip");
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    await view("08-set");
  });

  it("re-runs the album with another template without uploading again", async () => {
    const rerun = page.getByRole("button", { name: "Run again on these photos" });
    expect(await rerun.isVisible()).toBe(true);
    await rerun.click();
    await expect.poll(currentJobId).not.toBe(jobId);
    expect(await feedbackOf("rerun").count()).toBe(0);
    const second = await currentJobId();
    expect(second).not.toBe(jobId);
    expect(await page.locator("#photos .file-name").allTextContents()).toEqual([
      " room-1.png",
      " room-2.png",
      " room-3.png",
    ]);
    await page.locator('label[for="template-share_card"]').click();
    await page.getByRole("button", { name: "Run job" }).click();
    await expect
      .poll(() => page.locator("#job-status").textContent(), { timeout: 150_000 })
      .toMatch(/^Job done: 3 of 3/);
    // The new job's set is the other template's: a share card per photo, each shown once loaded.
    const cards = page.locator('#set-files ul[data-role="share_card"] img');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(3);
    for (const card of await cards.all()) {
      await card.scrollIntoViewIfNeeded();
      await expect
        .poll(() => card.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
        .toBe(true);
    }
    await view("09-rerun");
  });

  it("a photo where the rule's concept was not found is flagged; a box drawn on it and Retry fix it", async () => {
    await page.locator("#files").setInputFiles([await writeOddWallPhoto()]);
    await page.getByRole("button", { name: "Upload album" }).click();
    await expect
      .poll(() => page.locator("#notice").textContent(), { timeout: 60_000 })
      .toMatch(/^Album uploaded \(1 photo\)/);
    const flaggedJob = await currentJobId();
    await page.getByRole("button", { name: "Run job" }).click();
    await expect
      .poll(() => page.locator("#job-status").textContent(), { timeout: 150_000 })
      .toMatch(/^Job done: 1 of 1 photos finished; 1 needs a look/);
    expect(await page.locator(".photo .review").textContent()).toMatch(/^Check this photo: Wall not found/);
    const retry = page.getByRole("button", { name: "Retry failed and flagged photos" });
    expect(await retry.isVisible()).toBe(true);
    // The missed concept is the one preselected for the box; the box goes on the wall between door and window.
    expect(await page.locator("#hint-concept-0").inputValue()).toBe("Wall");
    await drawBox('.hint-frame[data-idx="0"]', [0.47, 0.3], [0.56, 0.6]);
    await expect.poll(() => page.locator(".photo").first().textContent()).toContain("1 box drawn");
    await view("09a-flagged");
    await retry.click();
    await expect.poll(currentJobId).not.toBe(flaggedJob);
    await expect
      .poll(() => page.locator("#notice").textContent())
      .toMatch(/^Retrying 1 photo with the same rule and template/);
    await expect
      .poll(() => page.locator("#job-status").textContent(), { timeout: 150_000 })
      .toMatch(/^Job done: 1 of 1 photos finished$/);
    // The retried photo keeps its name; the box found the wall, so nothing is flagged and nothing is left to retry.
    expect(await page.locator("#photos .file-name").allTextContents()).toEqual([" odd-wall.png"]);
    expect(await page.locator(".photo .found").textContent()).toMatch(/^Wall \d+ %/);
    expect(await page.locator(".photo .review").count()).toBe(0);
    expect(await retry.isVisible()).toBe(false);
    await view("09b-retried");
  });

  it("a second album while one is open: CONCURRENCY_LIMIT beside Upload, focused, with a way out", async () => {
    const [one] = await writePhotos(1, 7);
    await page.locator("#files").setInputFiles([one!]);
    await page.getByRole("button", { name: "Upload album" }).click();
    await expect
      .poll(() => page.locator("#notice").textContent(), { timeout: 60_000 })
      .toMatch(/^Album uploaded \(1 photo\)/);
    // The uploaded album stays runnable while new photos are chosen: Run is not stranded.
    await page.locator("#files").setInputFiles([one!]);
    await expect.poll(() => page.getByRole("button", { name: "Run job" }).isEnabled()).toBe(true);
    expect(await page.locator("#album-note").textContent()).toMatch(/^The uploaded album \(1 photo\) stays/);
    await page.getByRole("button", { name: "Upload album" }).click();
    const message = feedbackOf("upload");
    await expect.poll(() => message.textContent()).toContain(SENTENCES.CONCURRENCY_LIMIT);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    await view("10-concurrency-limit");
    // What the sentence suggests, from inside it: cancel the open job (after a confirmation).
    await message.getByRole("button", { name: "Cancel the open job" }).click();
    await confirmWith("Cancel job", /^Cancel this job\? Its credits come back/);
    await expect.poll(() => page.locator("#notice").textContent()).toBe("Job canceled; 1 credit refunded.");
    await expect.poll(() => page.locator("#account").textContent()).toMatch(/ · 0 active jobs/);
    await page.getByRole("button", { name: "Remove all photos" }).click();
  });

  it("lists past jobs page by page, cancels an open one and deletes a finished one, each confirmed", async () => {
    // Nine more jobs, opened and canceled through the API: with the ones above, more than one page.
    const api = await asUser();
    for (let index = 0; index < 9; index++) {
      const created = createdJobOf(await unwrap(api.POST("/jobs", { body: { preset: "interior", item_count: 1 } })));
      const canceled = await unwrap(api.POST("/jobs/{id}/cancel", { params: { path: { id: created.job_id } } }));
      expect(canceled.status).toBe("canceled");
    }
    // An open job, uploaded through the console, canceled from its history row.
    const [one] = await writePhotos(1, 8);
    await page.locator("#files").setInputFiles([one!]);
    await page.getByRole("button", { name: "Upload album" }).click();
    await expect.poll(() => page.locator("#notice").textContent(), { timeout: 60_000 }).toMatch(/Album uploaded/);
    const rows = page.locator("#history tr[data-job-id]");
    await expect.poll(() => rows.first().getAttribute("data-status")).toBe("uploaded");
    // Keep: nothing happens.
    await rows.first().getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Keep" }).click();
    expect(await rows.first().getAttribute("data-status")).toBe("uploaded");
    await rows.first().getByRole("button", { name: "Cancel" }).click();
    await confirmWith("Cancel job", /^Cancel this job\?/);
    await expect.poll(() => page.locator("#notice").textContent()).toBe("Job canceled; 1 credit refunded.");
    await expect.poll(() => rows.first().getAttribute("data-status")).toBe("canceled");
    expect(await rows.count()).toBe(10);
    await page.getByRole("button", { name: "Show older jobs" }).click();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(12);
    // The first job is on the second page; deleting it removes its objects. Its template is named, not an id.
    const row = page.locator(`#history tr[data-job-id="${jobId}"]`);
    expect(await row.getAttribute("data-status")).toBe("done");
    expect(await row.textContent()).toContain("Before & after");
    // The destructive button looks apart from Open beside it.
    const colours = await row
      .locator("button")
      .evaluateAll((buttons) => buttons.map((button) => getComputedStyle(button).color));
    expect(new Set(colours).size).toBe(2);
    const before = await unwrap(api.GET("/jobs/{id}", { params: { path: { id: jobId } } }));
    const links = before.outputs_ready.flatMap((output) => [output.result_url, output.preview_url]);
    expect(links).toHaveLength(6);
    for (const link of links) expect((await fetch(link)).status).toBe(200);
    await row.getByRole("button", { name: "Delete" }).click();
    await confirmWith("Delete", /^Delete this job's photos and set\?/);
    await expect.poll(() => page.locator("#notice").textContent()).toMatch(/^Job deleted/);
    await expect.poll(() => row.textContent()).toContain("files deleted");
    expect(await row.getByRole("button", { name: "Delete" }).count()).toBe(0);
    for (const link of links) expect((await fetch(link)).status).toBe(404);
    // Opened again, the deleted job says so and shows no photos.
    await row.getByRole("button", { name: "Open" }).click();
    await expect.poll(() => page.locator("#notice").textContent()).toBe(EN.job_deleted_opened);
    expect(await page.locator("figure.compare").count()).toBe(0);
    await view("11-history");
  });

  it("saves rules, says what each does, updates one in place (PUT), and RULE_SLOT_FULL shows beside Save", async () => {
    const ruleName = page.getByLabel("Rule name", { exact: true });
    await ruleName.fill("Sage walls");
    await page.getByRole("button", { name: "Save rule" }).click();
    await expect.poll(() => page.locator("#notice").textContent()).toBe('Rule "Sage walls" saved.');
    expect(await page.locator("#rule-list li").first().textContent()).toMatch(/Wall → .* \(colour\)/);
    await ruleName.fill("Oak floor");
    await page.getByRole("button", { name: "Save as a new rule" }).click();
    await expect.poll(() => page.locator("#account").textContent()).toMatch(/rules 2\/2/);
    await ruleName.fill("One too many");
    await page.getByRole("button", { name: "Save as a new rule" }).click();
    const message = feedbackOf("save-rule");
    await expect.poll(() => message.textContent()).toContain(SENTENCES.RULE_SLOT_FULL);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    await page.getByRole("button", { name: "Load Sage walls" }).click();
    // Loaded once it says so: the editor re-renders from the rule then (a click before that is redrawn).
    await expect.poll(() => page.locator("#notice").textContent()).toBe('Rule "Sage walls" loaded.');
    expect(await page.getByLabel("Edit Wall").isChecked()).toBe(true);
    // Changed and saved in place: still two rules, the same id, the new colour.
    await page.locator('label[for="wall-navy_a"]').click();
    await page.getByRole("button", { name: "Save changes to the rule" }).click();
    await expect.poll(() => page.locator("#notice").textContent()).toBe('Rule "Sage walls" updated.');
    const rules = await unwrap((await asUser()).GET("/rules"));
    expect(rules).toHaveLength(2);
    expect(rules.find((rule) => rule.name === "Sage walls")?.concepts.Wall?.value).toBe("navy_a");
    await page.getByRole("button", { name: "Delete Oak floor" }).click();
    await confirmWith("Delete", /^Delete the rule "Oak floor"\?/);
    await expect.poll(() => page.locator("#account").textContent()).toMatch(/rules 1\/2/);
    expect(await page.locator("#rule-list li").allTextContents()).toEqual([expect.stringMatching(/^Sage walls/)]);
    await view("12-rules");
  });

  it("the option board template asks for 2–8 named variants, each with its own colours", async () => {
    await page.getByLabel("Preset", { exact: true }).selectOption("seller");
    await expect.poll(() => page.getByLabel("Edit Body").count()).toBe(1);
    await page.getByLabel("Edit Body").check();
    await page.locator('label[for="template-option_board"]').click();
    const variants = page.getByRole("group", { name: "Variants" });
    expect(await variants.isVisible()).toBe(true);
    expect(await page.locator("#variants-hint").textContent()).toMatch(/^Required: 2–8/);
    await page.getByRole("button", { name: "Add a variant" }).click();
    await page.getByLabel("Variant 1 name").fill("Navy");
    await page.getByRole("radiogroup", { name: "Variant 1 Body: colour" }).locator("label").nth(1).click();
    expect(await page.getByLabel("Variant 1 name").inputValue()).toBe("Navy");
    await view("13-option-board-variants");
  });

  it("/docs renders Swagger UI from the Worker's own files", async () => {
    const docs = await browser.newPage();
    await onlyOurOrigins(docs);
    await docs.goto(`${ORIGIN}/docs`);
    await expect.poll(() => docs.locator(".opblock").count(), { timeout: 30_000 }).toBeGreaterThan(10);
    await docs.screenshot({ path: path.join(ARTIFACTS, "20-docs.png") });
    await docs.close();
  });

  it("made no request outside the API's origin", () => {
    expect(outsideRequests).toEqual([]);
  });

  async function currentJobId(): Promise<string> {
    return page.evaluate(() => document.querySelector("#photos")?.getAttribute("data-job-id") ?? "");
  }
});

describe("in Korean", () => {
  let ko: Page;

  it("a Korean browser gets the console in Korean, with lang set, names and catalog sentences translated", async () => {
    const context = await browser.newContext({ locale: "ko-KR", viewport: { width: 1280, height: 800 } });
    ko = await context.newPage();
    await onlyOurOrigins(ko);
    await ko.goto(`${ORIGIN}/`);
    expect(await ko.locator("html").getAttribute("lang")).toBe("ko");
    await ko.getByRole("button", { name: "익명 세션 시작" }).click();
    await expect
      .poll(() => ko.locator("#account").textContent())
      .toBe("무료 요금제 · 크레딧 10개 · 진행 중인 작업 0개 · 규칙 0/2");
    await ko.getByLabel("프리셋", { exact: true }).selectOption("interior");
    // Named from the preset's labels where the API publishes them, else from the id.
    await expect.poll(() => ko.locator('label[for="edit-wall"]').textContent()).toMatch(/^ (벽|Wall) 편집$/);
    expect(await ko.locator('label[for="template-before_after"] .template-name').textContent()).toBe("전후 비교");
    // A catalog error, translated by its code, beside its control.
    await ko.getByRole("button", { name: "규칙 저장" }).click();
    const message = feedbackOf("save-rule", ko);
    await expect.poll(() => message.textContent()).toBe("규칙을 저장하려면 편집할 개념을 하나 이상 선택하세요.");
    await view("14-korean", ko);
  });

  it("runs a photo in Korean: the job's status and what was found read in Korean", async () => {
    await ko.locator("#edit-wall").check();
    await ko.locator("#files").setInputFiles([photos[1]!]);
    await ko.getByRole("button", { name: "앨범 업로드" }).click();
    await expect
      .poll(() => ko.locator("#notice").textContent(), { timeout: 60_000 })
      .toMatch(/^앨범을 업로드했습니다 \(사진 1장\)/);
    await ko.locator('label[for="template-before_after"]').click();
    await ko.getByRole("button", { name: "작업 실행" }).click();
    await expect
      .poll(() => ko.locator("#job-status").textContent(), { timeout: 150_000 })
      .toMatch(/^작업 완료: 사진 1장 중 1장 끝남/);
    expect(await ko.locator(".photo .found").textContent()).toMatch(/^벽 \d+ %/);
    const heading = ko.getByRole("heading", { name: /^전후 비교 \(1\)$/ });
    await expect.poll(() => heading.count(), { timeout: 30_000 }).toBe(1);
    await view("15-korean-done", ko);
  });

  it("the switch changes the language at once and is remembered", async () => {
    await ko.getByRole("button", { name: "English" }).click();
    expect(await ko.locator("html").getAttribute("lang")).toBe("en");
    expect(await ko.getByRole("button", { name: "Start an anonymous session" }).count()).toBe(0);
    await expect.poll(() => ko.getByLabel("Edit Wall").count()).toBe(1);
    // One credit went on the Korean run above.
    expect(await ko.locator("#account").textContent()).toMatch(/^Free plan · 9 credits · 0 active jobs/);
    // The Korean button keeps its own language for a screen reader's voice.
    expect(await ko.getByRole("button", { name: "한국어" }).getAttribute("lang")).toBe("ko");
    await ko.reload();
    expect(await ko.locator("html").getAttribute("lang")).toBe("en");
    await ko.getByRole("button", { name: "한국어" }).click();
    await expect.poll(() => ko.locator('label[for="edit-wall"]').textContent()).toMatch(/편집$/);
    await ko.context().close();
  });
});
