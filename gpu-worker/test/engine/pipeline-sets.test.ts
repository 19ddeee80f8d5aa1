// Output sets through the pipeline (docs/sets.md): the template's files uploaded at their keys and
// listed in the item's done callback, watermarked for free plans, never reported half uploaded.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import sharp from "sharp";
import {
  findPreset,
  storageKeys,
  THUMBNAIL_SIZES,
  watermarkRegion,
  type QueueMessage,
  type SetFile,
  type TemplateSlug,
  type Variant,
} from "@s3/contract";
import { interiorScene, queueItems, queueMessage, sellerScene } from "@s3/contract/testing";
import { hexToRgb } from "@s3/contract";
import { boardLayout } from "../../src/engine/sets/option-board";
import { RIBBON_COLOR } from "../../src/engine/sets/ribbon";
import { sheetLayout } from "../../src/engine/sets/sheet";
import { applyRule } from "../../src/engine/apply";
import { encodePreview, encodeResultPng } from "../../src/engine/image";
import { unionOf } from "../../src/engine/concept-edits";
import { createRenderPool, type RenderPool } from "../../src/engine/render-pool";
import { createCpuSegmenter } from "../../src/engine/segmenter/cpu";
import { pipelineAgainst } from "../helpers/pipeline";
import { startFakeCallbacks, startFakeS3, type FakeCallbacks, type FakeS3 } from "../helpers/servers";

const SECRET = "gpu-callback-secret-for-tests-0123456789";
const USER = "u_sets";
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const logger = pino({ level: "silent" });
const WIDTH = 240,
  HEIGHT = 180;
const scenes = { interior: interiorScene(WIDTH, HEIGHT, 3), seller: sellerScene(WIDTH, HEIGHT, 3) };
const RULES = {
  interior: { Wall: { action: "recolor", value: "sage_a" }, Door: { action: "tone", value: "warm" } },
  seller: { Body: { action: "recolor", value: "red_a" } },
} satisfies Record<string, QueueMessage["concepts"]>;
const PROTECT = { interior: ["Frame_Molding", "Grout"], seller: ["Label_Text"] };
const OPTIONS: Variant[] = ["red_a", "navy_a", "sky_a", "mint_a"].map((value) => ({
  name: value.replace("_a", "").replace(/^./, (c) => c.toUpperCase()),
  concepts: { Body: { action: "recolor", value } },
}));

let s3: FakeS3;
let callbacks: FakeCallbacks;
const pngs: Record<string, Buffer> = {};
let jobCounter = 0;

beforeAll(async () => {
  [s3, callbacks] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
  for (const [preset, scene] of Object.entries(scenes))
    pngs[preset] = await sharp(scene.image.data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .png()
      .toBuffer();
});
afterAll(async () => {
  await Promise.all([s3.close(), callbacks.close()]);
});
beforeEach(() => {
  callbacks.received.length = 0;
  s3.refusePuts.clear();
});

function pipeline(renderPool?: RenderPool) {
  return pipelineAgainst(
    { s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger },
    { batchConcurrency: 2, renderPool },
  );
}

const templateId = (preset: "interior" | "seller", slug: TemplateSlug) =>
  findPreset(preset)!.output_templates.find((template) => template.slug === slug)!.id;

/** A job of `count` photos of the preset's scene; `slug` names its template (by id, as execute stores it). */
function job(
  preset: "interior" | "seller",
  slug: TemplateSlug | null,
  overrides: Partial<QueueMessage> = {},
  count = 1,
): QueueMessage {
  const jobId = `job_sets${++jobCounter}`;
  for (let idx = 0; idx < count; idx++)
    s3.objects.set(storageKeys.input(USER, jobId, idx), { body: pngs[preset]!, contentType: "image/png" });
  return queueMessage({
    job_id: jobId,
    user_id: USER,
    preset,
    concepts: RULES[preset],
    protect: PROTECT[preset],
    items: queueItems(USER, jobId, count),
    callback_url: callbacks.url(jobId),
    watermark: false,
    ...(slug ? { output_template: templateId(preset, slug) } : {}),
    ...overrides,
  });
}

const reports = (jobId: string) => callbacks.received.filter((r) => r.jobId === jobId).map((r) => r.body);
const setKeysOf = (jobId: string) => [...s3.objects.keys()].filter((key) => key.startsWith(`sets/${USER}/${jobId}/`));
const body = (key: string) => s3.objects.get(key)!.body;

async function pixels(key: string) {
  const { data, info } = await sharp(body(key)).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, format: (await sharp(body(key)).metadata()).format };
}

const CASES: [TemplateSlug, "interior" | "seller", Partial<QueueMessage>, number, [string, string][]][] = [
  [
    "three_options",
    "interior",
    {},
    1,
    [...["modern", "natural", "hotel"].map((part) => ["variant", part] as [string, string]), ["options", "options"]],
  ],
  ["before_after", "interior", {}, 1, [["before_after", "before_after"]]],
  ["share_card", "interior", {}, 1, [["share_card", "share_card"]]],
  [
    "product_pack",
    "seller",
    {},
    2,
    [
      ["pack", "main"],
      ["pack", "detail_1"],
    ],
  ],
  [
    "option_board",
    "seller",
    { variants: OPTIONS },
    1,
    [...["red", "navy", "sky", "mint"].map((part) => ["variant", part] as [string, string]), ["board", "board"]],
  ],
  ["thumbnails", "seller", {}, 1, THUMBNAIL_SIZES.map(([w, h]) => ["thumbnail", `${w}x${h}`])],
];

/** A done report's template files: its `files` less the result and preview, which every done item lists. */
function templateFiles(report: Record<string, unknown>): SetFile[] {
  return ((report.files ?? []) as SetFile[]).filter((file) => file.role !== "result" && file.role !== "preview");
}

describe("output sets through the pipeline", () => {
  it.each(CASES)(
    "%s: every set file uploaded at its key, decoding to the size the callback reports",
    async (slug, preset, overrides, count, expected) => {
      const message = job(preset, slug, overrides, count);
      const outcome = await pipeline().runJob(message);
      expect(outcome).toMatchObject({ done: count, failed: 0, complete: true });
      const done = reports(message.job_id).sort((a, b) => Number(a.idx) - Number(b.idx));
      const files = done.flatMap(templateFiles);
      expect(files.map((file) => [file.role, file.part])).toEqual(expected);
      expect(setKeysOf(message.job_id).sort()).toEqual(files.map((file) => file.key).sort());
      for (const [idx, report] of done.entries())
        for (const file of templateFiles(report)) {
          const ext = file.role === "variant" ? "png" : "jpg";
          expect(file.key).toBe(storageKeys.set(USER, message.job_id, idx, slug, file.part, ext));
          const decoded = await pixels(file.key);
          expect([decoded.width, decoded.height]).toEqual([file.width, file.height]);
          expect(decoded.format).toBe(ext === "png" ? "png" : "jpeg");
          expect(s3.objects.get(file.key)!.contentType).toBe(file.content_type);
          expect(file.bytes).toBe(body(file.key).byteLength);
          expect(file.variant).toBe(
            file.role === "variant"
              ? (overrides.variants?.find((v) => v.name.toLowerCase() === file.part)?.name ?? file.part)
              : null,
          );
        }
    },
  );

  it("three_options without variants renders the preset's three styles, each clearly different", async () => {
    const message = job("interior", "three_options");
    await pipeline().runJob(message);
    const [modern, natural, hotel] = await Promise.all(
      ["modern", "natural", "hotel"].map((part) =>
        pixels(storageKeys.set(USER, message.job_id, 0, "three_options", part, "png")),
      ),
    );
    const differing = (a: Buffer, b: Buffer) => a.filter((value, i) => value !== b[i]).length;
    expect(differing(modern!.data, natural!.data)).toBeGreaterThan(WIDTH * HEIGHT * 0.2);
    expect(differing(natural!.data, hotel!.data)).toBeGreaterThan(WIDTH * HEIGHT * 0.2);
    expect(differing(modern!.data, hotel!.data)).toBeGreaterThan(WIDTH * HEIGHT * 0.2);
  });

  it("the message's locale chooses the captions' language: the panels alike, the caption band not", async () => {
    const korean = job("interior", "before_after", { locale: "ko" });
    const english = job("interior", "before_after", { locale: "en" });
    await Promise.all([pipeline().runJob(korean), pipeline().runJob(english)]);
    const sheet = (message: QueueMessage) =>
      pixels(storageKeys.set(USER, message.job_id, 0, "before_after", "before_after", "jpg"));
    const [ko, en] = await Promise.all([sheet(korean), sheet(english)]);
    const layout = sheetLayout(WIDTH, HEIGHT, 2);
    const rows = (image: typeof ko, from: number, to: number) =>
      image.data.subarray(from * image.width * 3, to * image.width * 3);
    const differing = (a: Uint8Array, b: Uint8Array) => a.filter((value, i) => Math.abs(value - b[i]!) > 40).length;
    expect(differing(rows(ko, 0, layout.band), rows(en, 0, layout.band))).toBeGreaterThan(100);
    expect(differing(rows(ko, layout.band, layout.band + HEIGHT), rows(en, layout.band, layout.band + HEIGHT))).toBe(0);
  });

  it("option_board reuses the main result as the first variant: the same PNG, free plan or not", async () => {
    const pro = job("seller", "option_board", { variants: OPTIONS });
    const free = job("seller", "option_board", { variants: OPTIONS, watermark: true });
    await Promise.all([pipeline().runJob(pro), pipeline().runJob(free)]);
    for (const message of [pro, free]) {
      const red = body(storageKeys.set(USER, message.job_id, 0, "option_board", "red", "png"));
      expect(Buffer.compare(red, body(message.items[0]!.output_key))).toBe(0);
    }
    const navy = (message: QueueMessage) => storageKeys.set(USER, message.job_id, 0, "option_board", "navy", "png");
    expect(Buffer.compare(body(navy(pro)), body(navy(free)))).not.toBe(0);
  });

  it("an option whose result equals the photo is flagged variant_unchanged and ribboned on the board", async () => {
    // "Same" recolours only the protected label text: every pixel of its edit is taken back.
    const variants: Variant[] = [
      OPTIONS[0]!,
      { name: "Same", concepts: { Label_Text: { action: "recolor", value: "navy_a" } } },
    ];
    const message = job("seller", "option_board", { variants });
    await pipeline().runJob(message);
    const [done] = reports(message.job_id);
    expect(done).toMatchObject({ status: "done" });
    expect((done!.report as { flags: string[] }).flags).toEqual(["variant_unchanged:Same"]);
    const board = await pixels(storageKeys.set(USER, message.job_id, 0, "option_board", "board", "jpg"));
    const layout = boardLayout(WIDTH, HEIGHT, 2);
    const ribbon = hexToRgb(RIBBON_COLOR);
    const at = (x: number, y: number) => [0, 1, 2].map((c) => board.data[(y * board.width + x) * 3 + c]!);
    const near = (rgb: number[]) => rgb.every((v, c) => Math.abs(v - ribbon[c]!) <= 12);
    // The ribbon's left end, beside its text, on the unchanged tile only.
    const [red, same] = layout.tiles;
    expect(near(at(same!.x + 4, same!.y + 4))).toBe(true);
    expect(near(at(red!.x + 4, red!.y + 4))).toBe(false);
  });

  it("a free-plan set carries the watermark on every image", async () => {
    const free = job("interior", "three_options", { watermark: true });
    const pro = job("interior", "three_options", { watermark: false });
    await Promise.all([pipeline().runJob(free), pipeline().runJob(pro)]);
    const [freeFiles, proFiles] = [free, pro].map((message) => templateFiles(reports(message.job_id)[0]!));
    expect(freeFiles!.map((file) => file.part)).toEqual(proFiles!.map((file) => file.part));
    for (const [i, file] of freeFiles!.entries()) {
      const a = await pixels(file.key),
        b = await pixels(proFiles![i]!.key);
      // The options sheet carries the set's mark in its footer; each result the applier's watermark.
      const [mx, my, mw, mh] = sheetLayout(WIDTH, HEIGHT, 3).mark;
      const box =
        file.role === "options" ? { x: mx, y: my, width: mw, height: mh } : watermarkRegion(file.width, file.height);
      let inside = 0,
        insideCount = 0,
        outside = 0,
        outsideCount = 0;
      for (let y = 0; y < file.height; y++)
        for (let x = 0; x < file.width; x++) {
          const q = (y * file.width + x) * 3;
          const diff = [0, 1, 2].reduce((sum, c) => sum + Math.abs(a.data[q + c]! - b.data[q + c]!), 0);
          if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) {
            inside += diff;
            insideCount++;
          } else if (x < box.x - 16 || y < box.y - 16) {
            outside += diff;
            outsideCount++;
          }
        }
      expect(inside / insideCount, file.part).toBeGreaterThan(30);
      expect(outside / outsideCount, file.part).toBeLessThan(1);
    }
  });

  it("a free job's result and preview are byte for byte what they were before sets, template or not", async () => {
    const plain = job("interior", null, { watermark: true });
    const withSet = job("interior", "before_after", { watermark: true });
    await Promise.all([pipeline().runJob(plain), pipeline().runJob(withSet)]);
    // Before sets the pipeline applied the rule with the watermark drawn in: the same bytes come out.
    const { image } = scenes.interior;
    const instances = await (
      await createCpuSegmenter().forJob([...Object.keys(RULES.interior), ...PROTECT.interior])
    ).segment(image);
    const protect = unionOf(instances, PROTECT.interior, WIDTH, HEIGHT);
    const result = applyRule({
      image,
      edits: Object.entries(RULES.interior).map(([concept, rule]) => ({
        concept,
        ...rule,
        ...unionOf(instances, concept, WIDTH, HEIGHT),
      })),
      protect: protect.mask,
      protectBbox: protect.bbox,
      watermark: true,
    });
    const [png, preview] = await Promise.all([
      encodeResultPng(WIDTH, HEIGHT, result),
      encodePreview(WIDTH, HEIGHT, result),
    ]);
    for (const message of [plain, withSet]) {
      expect(Buffer.compare(body(message.items[0]!.output_key), Buffer.from(png))).toBe(0);
      expect(Buffer.compare(body(message.items[0]!.preview_key), Buffer.from(preview))).toBe(0);
    }
    // Without a template the set is the result and preview, reported with their sizes.
    expect(reports(plain.job_id)[0]!.files).toEqual([
      {
        role: "result",
        part: "result",
        variant: null,
        key: plain.items[0]!.output_key,
        width: WIDTH,
        height: HEIGHT,
        bytes: png.byteLength,
        content_type: "image/png",
      },
      expect.objectContaining({ role: "preview", key: plain.items[0]!.preview_key, bytes: preview.byteLength }),
    ]);
    expect(setKeysOf(plain.job_id)).toEqual([]);
  });

  it(
    "one set file that cannot be uploaded fails the item; " + "the redelivery uploads and reports the whole set",
    async () => {
      const message = job("seller", "thumbnails");
      const refused = storageKeys.set(USER, message.job_id, 0, "thumbnails", "1080x1350", "jpg");
      s3.refusePuts.add(refused);
      const first = await pipeline().runJob(message);
      expect(first).toMatchObject({ done: 0, failed: 1, complete: true });
      expect(reports(message.job_id)).toEqual([
        expect.objectContaining({ idx: 0, status: "failed", error_code: "UPLOAD_FAILED" }),
      ]);
      expect(reports(message.job_id)[0]).not.toHaveProperty("files");

      s3.refusePuts.clear();
      const again = { ...message, attempt: 2 };
      expect(await pipeline().runJob(again)).toMatchObject({ done: 1, failed: 0, complete: true });
      const done = reports(message.job_id)[1]!;
      expect(done).toMatchObject({ status: "done", idempotency_key: `${message.job_id}:0:attempt2` });
      const files = templateFiles(done);
      expect(files.map((file) => file.part)).toEqual(THUMBNAIL_SIZES.map(([w, h]) => `${w}x${h}`));
      expect(setKeysOf(message.job_id).sort()).toEqual(files.map((file) => file.key).sort());
      for (const file of files) expect(file.bytes).toBe(body(file.key).byteLength);
    },
  );

  it("a message whose template or variants its preset lacks fails its items without rendering", async () => {
    const foreign = job("seller", null, { output_template: "전후비교" });
    const badVariant = job("seller", "option_board", {
      variants: [OPTIONS[0]!, { name: "Odd", concepts: { Wall: { action: "recolor", value: "sage_a" } } }],
    });
    const tooFew = job("seller", "option_board", { variants: [OPTIONS[0]!] });
    for (const message of [foreign, badVariant, tooFew]) {
      expect(await pipeline().runJob(message)).toMatchObject({ done: 0, failed: 1 });
      expect(reports(message.job_id)).toEqual([
        expect.objectContaining({ status: "failed", error_code: "INPUT_INVALID" }),
      ]);
      expect(setKeysOf(message.job_id)).toEqual([]);
    }
  });
});

describe("output sets on the render pool", () => {
  it("renders every set file inside the pool thread, byte for byte what the main thread renders", async () => {
    const pool = createRenderPool(2);
    try {
      for (const [slug, preset, overrides] of [
        ["three_options", "interior", { watermark: true }],
        ["option_board", "seller", { variants: OPTIONS }],
      ] as const) {
        const inline = job(preset, slug, overrides);
        const pooled = job(preset, slug, overrides);
        await pipeline().runJob(inline);
        expect(await pipeline(pool).runJob(pooled)).toMatchObject({ done: 1, complete: true });
        const keys = setKeysOf(inline.job_id);
        expect(keys.length).toBeGreaterThan(1);
        // Uploads run in parallel: the same keys, in any order.
        expect(setKeysOf(pooled.job_id).sort()).toEqual(
          keys.map((key) => key.replace(inline.job_id, pooled.job_id)).sort(),
        );
        for (const key of [...keys, inline.items[0]!.output_key, inline.items[0]!.preview_key])
          expect(Buffer.compare(body(key.replace(inline.job_id, pooled.job_id)), body(key)), key).toBe(0);
        expect(templateFiles(reports(pooled.job_id)[0]!)).toHaveLength(keys.length);
      }
    } finally {
      await pool.close();
    }
  });
});
