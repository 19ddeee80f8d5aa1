import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import sharp from "sharp";
import {
  callbackBodySchema,
  findPreset,
  hexToRgb,
  OUTPUT_CONTENT_TYPE,
  storageKeys,
  type OutputFormat,
  type QueueMessage,
} from "@s3/contract";
import { interiorScene, queueItems, queueMessage } from "@s3/contract/testing";
import { createCpuSegmenter } from "../../src/engine/segmenter/cpu";
import type { Segmenter } from "../../src/engine/segmenter/types";
import { flatImage } from "../helpers/pixels";
import { pipelineAgainst } from "../helpers/pipeline";
import { startFakeCallbacks, startFakeS3, type FakeCallbacks, type FakeS3 } from "../helpers/servers";

const SECRET = "gpu-callback-secret-for-tests-0123456789";
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const logger = pino({ level: "silent" });
const [W, H] = [160, 120];

let s3: FakeS3;
let callbacks: FakeCallbacks;
let scenePng: Buffer;
let wallPng: Buffer;
let jobCounter = 0;

const png = (image: { data: Uint8Array }) =>
  sharp(image.data, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toBuffer();

beforeAll(async () => {
  [s3, callbacks] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
  scenePng = await png(interiorScene(W, H, 4).image);
  // A bare wall: no door, no floor.
  wallPng = await png(flatImage(W, H, () => hexToRgb("#d6bf98")));
});
afterAll(async () => {
  await Promise.all([s3.close(), callbacks.close()]);
});
beforeEach(() => {
  callbacks.received.length = 0;
});

/** The cpu stand-in, counting the photos it segments. */
function counting() {
  const cpu = createCpuSegmenter();
  const counted = { photos: 0 };
  const segmenter: Segmenter = {
    ...cpu,
    async forJob(concepts) {
      const job = await cpu.forJob(concepts);
      return { segment: (image, hints) => (counted.photos++, job.segment(image, hints)) };
    },
  };
  return { segmenter, counted };
}

function job(user: string, inputs: Buffer[], overrides: Partial<QueueMessage> = {}): QueueMessage {
  const jobId = `job_albums${++jobCounter}`;
  const format = overrides.output_format ?? "png";
  inputs.forEach((body, idx) =>
    s3.objects.set(storageKeys.input(user, jobId, idx), { body, contentType: "image/png" }),
  );
  return queueMessage({
    job_id: jobId,
    user_id: user,
    concepts: { Wall: { action: "recolor", value: "sage_a" }, Door: { action: "tone", value: "warm" } },
    protect: ["Grout"],
    items: queueItems(user, jobId, inputs.length).map((item) => ({
      ...item,
      output_key: storageKeys.output(user, jobId, item.idx, format),
    })),
    callback_url: callbacks.url(jobId),
    watermark: false,
    ...overrides,
  });
}

const bodiesOf = (jobId: string) =>
  callbacks.received
    .filter((received) => received.jobId === jobId)
    // Each body the GPU worker sent, read as the Worker reads it.
    .map((received) => callbackBodySchema.parse(received.body))
    .sort((a, b) => a.idx - b.idx);

describe("scan: a segment-only message", () => {
  it("segments, fills the mask cache and reports found figures per item; nothing is edited or uploaded", async () => {
    const { segmenter, counted } = counting();
    const scan = job("u_scan", [scenePng, wallPng], {
      concepts: {},
      protect: ["Grout"],
      scan: { id: 1, concepts: ["Wall", "Door"] },
    });
    const outcome = await pipelineAgainst(
      { s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger },
      { segmenter, maskCache: true },
    ).runJob(scan);
    expect(outcome).toMatchObject({ done: 2, failed: 0, complete: true });
    expect(counted.photos).toBe(2);
    const [room, wall] = bodiesOf(scan.job_id);
    expect(room).toMatchObject({
      status: "done",
      scan_id: 1,
      output_key: null,
      preview_key: null,
      idempotency_key: `${scan.job_id}:scan1:0`,
      input: { width: W, height: H, segmenter_version: "cpu-stand-in@1" },
      report: {
        segmented: "model",
        segmenter: "cpu-stand-in@1",
        concepts: { Wall: expect.objectContaining({ score: 1 }), Door: expect.objectContaining({ instances: 2 }) },
        protect: { Grout: expect.objectContaining({ instances: 1 }) },
        flags: [],
      },
    });
    expect(room!.report).not.toHaveProperty("protect_sha256");
    expect(room!.report!.concepts.Door).not.toHaveProperty("changed_pct");
    expect(wall).toMatchObject({
      idempotency_key: `${scan.job_id}:scan1:1`,
      report: { concepts: { Door: { instances: 0, area_pct: 0, score: 0 } }, flags: ["concept_not_found:Door"] },
    });
    const written = [...s3.objects.keys()].filter((key) => !key.startsWith("inputs/") && key.includes(scan.job_id));
    expect(written).toEqual([]);

    // Execute after the scan: every concept is a cache hit, the segmenter is not called again.
    const execute = job("u_scan", [scenePng, wallPng]);
    await pipelineAgainst(
      { s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger },
      { segmenter, maskCache: true },
    ).runJob(execute);
    expect(counted.photos).toBe(2);
    expect(bodiesOf(execute.job_id).map((body) => body.report?.segmented)).toEqual(["cache", "cache"]);
  });

  it("a scan concept the preset lacks fails the message's items, nothing read", async () => {
    const scan = job("u_scan2", [scenePng], { concepts: {}, scan: { id: 1, concepts: ["Body"] } });
    const outcome = await pipelineAgainst({ s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger }).runJob(scan);
    expect(outcome).toMatchObject({ failed: 1 });
    expect(bodiesOf(scan.job_id)[0]).toMatchObject({ error_code: "INPUT_INVALID", scan_id: 1 });
  });
});

describe("output formats", () => {
  it.each<[OutputFormat, string, string]>([
    ["png", "png", ".png"],
    ["jpeg", "jpeg", ".jpg"],
    ["webp", "webp", ".webp"],
  ])(
    "%s: the result is stored under its key's extension, with its content type, and decodes as %s",
    async (format, decoded, ext) => {
      const message = job("u_formats", [scenePng], { output_format: format });
      await pipelineAgainst({ s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger }).runJob(message);
      const key = storageKeys.output("u_formats", message.job_id, 0, format);
      expect(key.endsWith(`_result${ext}`)).toBe(true);
      const stored = s3.objects.get(key)!;
      expect(stored.contentType).toBe(OUTPUT_CONTENT_TYPE[format]);
      const metadata = await sharp(stored.body).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual([decoded, W, H]);
      const [body] = bodiesOf(message.job_id);
      expect(body).toMatchObject({ status: "done", output_key: key });
      expect(body!.files).toContainEqual(
        expect.objectContaining({ role: "result", key, content_type: OUTPUT_CONTENT_TYPE[format] }),
      );
    },
  );

  it("per-variant results follow the format; other set images stay JPEG", async () => {
    const template = findPreset("interior")!.output_templates.find((t) => t.slug === "three_options")!.id;
    const message = job("u_formats", [scenePng], { output_format: "webp", output_template: template });
    await pipelineAgainst({ s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger }).runJob(message);
    const files = bodiesOf(message.job_id)[0]!.files!;
    const variants = files.filter((file) => file.role === "variant");
    expect(variants).toHaveLength(3);
    for (const file of variants) {
      expect([file.key.endsWith(".webp"), file.content_type]).toEqual([true, "image/webp"]);
      expect((await sharp(s3.objects.get(file.key)!.body).metadata()).format).toBe("webp");
    }
    expect(files.find((file) => file.role === "options")).toMatchObject({ content_type: "image/jpeg" });
  });

  it("a message whose output key does not end in its format fails the item, nothing read", async () => {
    const message = job("u_formats", [scenePng], { output_format: "png" });
    const wrong = { ...message, output_format: "webp" as const };
    const outcome = await pipelineAgainst({ s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger }).runJob(wrong);
    expect(outcome).toMatchObject({ failed: 1 });
    expect(bodiesOf(message.job_id)[0]).toMatchObject({ error_code: "INPUT_INVALID" });
  });
});
