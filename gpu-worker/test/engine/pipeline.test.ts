import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { crc32 } from "node:zlib";
import pino from "pino";
import sharp from "sharp";
import { storageKeys, type QueueMessage } from "@s3/contract";
import { interiorScene, queueItems, queueMessage, truthUnion } from "@s3/contract/testing";
import { passThroughStage } from "../../bench/pass-through";
import { createCallbackSender } from "../../src/engine/callback";
import { createRenderPool, type RenderPool } from "../../src/engine/render-pool";
import { createCpuSegmenter } from "../../src/engine/segmenter/cpu";
import type { Segmenter } from "../../src/engine/segmenter/types";
import { changedPixels } from "../helpers/pixels";
import { pipelineAgainst, type TestPipelineOptions } from "../helpers/pipeline";
import { etagOf, startFakeCallbacks, startFakeS3, type FakeCallbacks, type FakeS3 } from "../helpers/servers";

const SECRET = "gpu-callback-secret-for-tests-0123456789";
const USER = "u_test";
const FAST_RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const logger = pino({ level: "silent" });
const scene = interiorScene(200, 150, 2);

let s3: FakeS3;
let callbacks: FakeCallbacks;
let scenePng: Buffer;
let jobCounter = 0;

beforeAll(async () => {
  [s3, callbacks] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
  scenePng = await sharp(scene.image.data, { raw: { width: 200, height: 150, channels: 3 } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await Promise.all([s3.close(), callbacks.close()]);
});
beforeEach(() => {
  callbacks.received.length = 0;
  s3.failNext(0);
  callbacks.failNext(0);
});

function pipeline(options: TestPipelineOptions = {}) {
  return pipelineAgainst({ s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger }, options);
}

/** A job whose items' inputs are uploaded (one body per item; null leaves the input missing). */
function job(inputs: (Uint8Array | null)[], overrides: Partial<QueueMessage> = {}): QueueMessage {
  const jobId = `job_pipeline${++jobCounter}`;
  inputs.forEach((body, idx) => {
    if (body)
      s3.objects.set(storageKeys.input(USER, jobId, idx), { body: Buffer.from(body), contentType: "image/png" });
  });
  return queueMessage({
    job_id: jobId,
    user_id: USER,
    concepts: { Wall: { action: "recolor", value: "sage_a" }, Door: { action: "tone", value: "warm" } },
    protect: ["Frame_Molding", "Grout"],
    items: queueItems(USER, jobId, inputs.length),
    callback_url: callbacks.url(jobId),
    watermark: false,
    ...overrides,
  });
}

const reports = (jobId: string) => callbacks.received.filter((r) => r.jobId === jobId).map((r) => r.body);

async function raw(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), info };
}

describe("pipeline", () => {
  it("segments, edits, uploads every output at its storage key and reports each item", async () => {
    const message = job([scenePng, scenePng]);
    const outcome = await pipeline().runJob(message);
    expect(outcome).toMatchObject({ total: 2, done: 2, failed: 0, unreported: 0, complete: true });
    expect(s3.unsigned).toBe(0);
    expect(callbacks.rejected).toBe(0);
    expect(reports(message.job_id).sort((a, b) => Number(a.idx) - Number(b.idx))).toEqual(
      [0, 1].map((idx) => ({
        idx,
        status: "done",
        output_key: storageKeys.output(USER, message.job_id, idx),
        preview_key: storageKeys.preview(USER, message.job_id, idx),
        error: null,
        idempotency_key: `${message.job_id}:${idx}:attempt1`,
        // The result and preview with their sizes: the set's manifest reads them (docs/sets.md).
        files: [
          expect.objectContaining({ role: "result", key: storageKeys.output(USER, message.job_id, idx), width: 200 }),
          expect.objectContaining({ role: "preview", key: storageKeys.preview(USER, message.job_id, idx) }),
        ],
        // What was found and changed, and that protect held (docs/reports.md; test/engine/report/report.test.ts).
        report: expect.objectContaining({ segmenter: "cpu-stand-in@1", protect_changed_pixels: 0, flags: [] }),
        // The input as read: its mask cache folder and the size later hints are bounded by (docs/messages.md).
        input: {
          sha256: createHash("sha256").update(scenePng).digest("hex"),
          width: 200,
          height: 150,
          segmenter_version: "cpu-stand-in@1",
        },
      })),
    );

    const result = await raw(s3.objects.get(storageKeys.output(USER, message.job_id, 0))!.body);
    expect([result.info.width, result.info.height, result.info.channels]).toEqual([200, 150, 3]);
    const changed = changedPixels(scene.image.data, result.data);
    const editable = [truthUnion(scene, "Wall"), truthUnion(scene, "Door")];
    expect(changed.length).toBeGreaterThan(1000);
    expect(changed.filter((p) => !editable.some((mask) => mask[p]))).toEqual([]);

    const preview = await sharp(s3.objects.get(storageKeys.preview(USER, message.job_id, 0))!.body).metadata();
    expect(preview.format).toBe("jpeg");
    for (const concept of ["Wall", "Door", "Frame_Molding", "Grout"]) {
      const png = s3.objects.get(storageKeys.mask(USER, message.job_id, 0, concept))!.body;
      expect((await sharp(png).metadata()).channels).toBe(1);
      const pixels = await sharp(png).toColourspace("b-w").raw().toBuffer();
      expect(Buffer.compare(pixels, Buffer.from(truthUnion(scene, concept)))).toBe(0);
    }
    const instances = JSON.parse(
      s3.objects.get(storageKeys.instances(USER, message.job_id, 0))!.body.toString("utf8"),
    ) as { concept: string; instance_id: number }[];
    expect(instances.filter((row) => row.concept === "Door").map((row) => row.instance_id)).toEqual([0, 1]);
    expect(Object.keys(instances[0]!).sort()).toEqual(["area", "bbox", "concept", "instance_id", "score"]);
  });

  it("applies EXIF orientation and keeps the preview's long side at most 512", async () => {
    const wide = await sharp({ create: { width: 900, height: 300, channels: 3, background: "#d6bf98" } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const message = job([wide]);
    await pipeline().runJob(message);
    const result = await sharp(s3.objects.get(message.items[0]!.output_key)!.body).metadata();
    expect([result.width, result.height]).toEqual([300, 900]);
    const preview = await sharp(s3.objects.get(message.items[0]!.preview_key)!.body).metadata();
    expect(Math.max(preview.width!, preview.height!)).toBe(512);
  });

  it("a bad input fails only its own item, with the matching error code", async () => {
    const corrupt = scenePng.subarray(0, scenePng.length / 2);
    // A valid PNG header that claims 20000 × 20000; the pixel data is far too short,
    // so INPUT_TOO_LARGE (not INPUT_INVALID) proves the size was checked before decoding.
    const huge = Buffer.from(scenePng);
    huge.writeUInt32BE(20_000, 16);
    huge.writeUInt32BE(20_000, 20);
    huge.writeUInt32BE(crc32(huge.subarray(12, 29)) >>> 0, 29);
    const message = job([scenePng, Buffer.from("this is not an image"), corrupt, huge, null]);
    const outcome = await pipeline({ maxInputPixels: 1_000_000 }).runJob(message);
    expect(outcome).toMatchObject({ done: 1, failed: 4, complete: true });
    const byIdx = new Map(reports(message.job_id).map((body) => [body.idx, body]));
    expect(byIdx.get(0)).toMatchObject({ status: "done" });
    expect(byIdx.get(1)).toMatchObject({
      status: "failed",
      error_code: "INPUT_INVALID",
      output_key: null,
      preview_key: null,
    });
    expect(byIdx.get(2)).toMatchObject({ status: "failed", error_code: "INPUT_INVALID" });
    expect(byIdx.get(3)).toMatchObject({ status: "failed", error_code: "INPUT_TOO_LARGE" });
    expect(byIdx.get(4)).toMatchObject({ status: "failed", error_code: "INPUT_NOT_FOUND" });
  });

  it("retries transient storage failures and still finishes the item", async () => {
    const message = job([scenePng]);
    s3.failNext(3);
    const outcome = await pipeline().runJob(message);
    expect(outcome.done).toBe(1);
    expect(s3.objects.has(message.items[0]!.output_key)).toBe(true);
  });

  it("retries a callback until the Worker acknowledges it", async () => {
    const message = job([scenePng]);
    callbacks.failNext(2, 503);
    const outcome = await pipeline().runJob(message);
    expect(outcome.complete).toBe(true);
    expect(reports(message.job_id)).toHaveLength(1);
    expect(reports(message.job_id)[0]).toMatchObject({ status: "done" });
  });

  it("does not retry a callback the Worker refuses with a 4xx", async () => {
    const message = job([scenePng]);
    callbacks.failNext(1, 400);
    const outcome = await pipeline().runJob(message);
    expect(outcome.complete).toBe(true);
    expect(reports(message.job_id)).toHaveLength(0);
  });

  it("leaves the job incomplete when a callback is never acknowledged, so the message is retried", async () => {
    const message = job([scenePng]);
    callbacks.failNext(100, 500);
    const outcome = await pipeline().runJob(message);
    expect(outcome).toMatchObject({ done: 1, unreported: 1, complete: false });
  });

  it(
    "a message delivered again to another worker does no harm: " + "identical outputs, the same idempotency keys",
    async () => {
      const message = job([scenePng]);
      await pipeline().runJob(message);
      const first = Buffer.from(s3.objects.get(message.items[0]!.output_key)!.body);
      await pipeline().runJob(message);
      expect(Buffer.compare(first, s3.objects.get(message.items[0]!.output_key)!.body)).toBe(0);
      const keys = reports(message.job_id).map((body) => body.idempotency_key);
      expect(keys).toEqual([`${message.job_id}:0:attempt1`, `${message.job_id}:0:attempt1`]);
    },
  );

  it(
    "a message delivered again to the same worker after " + "it finished is acked with no item processed twice",
    async () => {
      const message = job([scenePng, scenePng]);
      const run = pipeline();
      expect(await run.runJob(message)).toMatchObject({ done: 2, complete: true });
      const gets = s3.requests.filter((request) => request.startsWith("GET ")).length;

      const again = await run.runJob(message);
      expect(again).toMatchObject({ done: 0, failed: 0, unreported: 0, complete: true });
      expect(s3.requests.filter((request) => request.startsWith("GET ")).length).toBe(gets);
      expect(reports(message.job_id)).toHaveLength(2);
    },
  );

  it("a redelivery after unacknowledged callbacks processes only the items not yet reported", async () => {
    const message = job([scenePng, scenePng, scenePng], { batch_concurrency: 1 });
    const run = pipeline();
    // The first item's callback is acknowledged; the Worker is then unreachable for the rest.
    callbacks.failNext(100, 500, 1);
    expect(await run.runJob(message)).toMatchObject({ done: 3, unreported: 2, complete: false });
    callbacks.failNext(0);

    const again = await run.runJob(message);
    expect(again).toMatchObject({ done: 2, unreported: 0, complete: true });
    expect(
      reports(message.job_id)
        .map((body) => body.idx)
        .sort(),
    ).toEqual([0, 1, 2]);
  });

  it.each([
    { workerLimit: 2, messageLimit: 8, expected: 2 },
    { workerLimit: 4, messageLimit: 1, expected: 1 },
  ])(
    "runs at most min(batch_concurrency, BATCH_CONCURRENCY) items at once: $messageLimit vs $workerLimit",
    async ({ workerLimit, messageLimit, expected }) => {
      let inFlight = 0,
        maxInFlight = 0;
      const cpu = createCpuSegmenter();
      const counting: Segmenter = {
        name: "counting",
        report: cpu.report,
        close: async () => {},
        async forJob(concepts) {
          const inner = await cpu.forJob(concepts);
          return {
            async segment(image) {
              maxInFlight = Math.max(maxInFlight, ++inFlight);
              await sleep(30);
              inFlight--;
              return inner.segment(image);
            },
          };
        },
      };
      const message = job(Array(5).fill(scenePng), { batch_concurrency: messageLimit });
      const outcome = await pipeline({ batchConcurrency: workerLimit, segmenter: counting }).runJob(message);
      expect(outcome.done).toBe(5);
      expect(maxInFlight).toBe(expected);
    },
  );

  it("refuses keys outside the job and never touches them", async () => {
    const message = job([scenePng]);
    const foreign = "inputs/u_other/job_other/0.jpg";
    s3.objects.set(foreign, { body: scenePng, contentType: "image/png" });
    message.items[0]!.input_key = foreign;
    const outcome = await pipeline().runJob(message);
    expect(outcome.failed).toBe(1);
    expect(reports(message.job_id)[0]).toMatchObject({ status: "failed", error_code: "INPUT_INVALID" });
    expect(s3.requests).not.toContain(`GET ${foreign}`);
  });

  it("a callback_url on another origin gets nothing: the items fail unread, the secret goes nowhere", async () => {
    const listener = await startFakeCallbacks(SECRET);
    try {
      const message = job([scenePng, scenePng], { callback_url: "" });
      message.callback_url = listener.url(message.job_id);
      const outcome = await pipeline().runJob(message);
      expect(outcome).toMatchObject({ done: 0, failed: 2, complete: true });
      expect(listener.received.length + listener.rejected).toBe(0);
      expect(s3.requests.filter((request) => request.includes(message.job_id))).toEqual([]);
      // The sender itself refuses too, whoever calls it.
      const sender = createCallbackSender({ secret: SECRET, origin: callbacks.url("job_x"), timeoutSec: 2, logger });
      const report = { idx: 0, status: "failed" as const, output_key: null, preview_key: null, error: "x" };
      expect(await sender.send(listener.url(message.job_id), report)).toBe("refused");
      expect(listener.received.length + listener.rejected).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it("keys with .. segments or another user's ids fail their item and are never read or written", async () => {
    const message = job([scenePng, scenePng, scenePng]);
    const victim = "outputs/u_victim/job_victim/0_result.png";
    message.items[0]!.input_key = `inputs/${USER}/${message.job_id}/../../../inputs/u_victim/job_victim/0.jpg`;
    message.items[1]!.output_key = `outputs/${USER}/${message.job_id}/../../u_victim/job_victim/0_result.png`;
    message.items[2]!.preview_key = `previews/u_victim/${message.job_id}/2_thumb.jpg`;
    const outcome = await pipeline().runJob(message);
    expect(outcome).toMatchObject({ done: 0, failed: 3 });
    expect(reports(message.job_id).map((body) => body.error_code)).toEqual(Array(3).fill("INPUT_INVALID"));
    expect(s3.requests.filter((request) => request.includes("victim") || request.includes(".."))).toEqual([]);
    expect(s3.objects.has(victim)).toBe(false);
  });

  it.each([
    [
      "a rule concept",
      { concepts: { "/../../outputs/u_victim/job_victim/0_result": { action: "tone", value: "warm" } } },
    ],
    ["a protect name", { protect: ["Grout", "../../../outputs/u_victim/job_victim/0_result"] }],
    ["a name the preset lacks", { concepts: { Spaceship: { action: "tone", value: "warm" } } }],
  ] as const)("%s that is not the preset's fails the whole message: nothing read or written", async (_, override) => {
    const message = job([scenePng, scenePng], override as Partial<QueueMessage>);
    const before = s3.requests.length;
    const outcome = await pipeline().runJob(message);
    expect(outcome).toMatchObject({ done: 0, failed: 2, complete: true });
    expect(reports(message.job_id).map((body) => body.error_code)).toEqual(["INPUT_INVALID", "INPUT_INVALID"]);
    expect(s3.requests.slice(before)).toEqual([]);
  });

  it("reads an input pinned by size and ETag; one replaced after confirm fails with INPUT_CHANGED", async () => {
    const message = job([scenePng, scenePng, scenePng]);
    for (const item of message.items)
      Object.assign(item, { input_size: scenePng.length, input_etag: etagOf(scenePng) });
    const bigger = Buffer.concat([scenePng, Buffer.alloc(1000)]);
    // Item 1: replaced under the same key (new ETag). Item 2: a longer body with the ETag left unpinned.
    s3.objects.set(message.items[1]!.input_key, { body: bigger, contentType: "image/png" });
    s3.objects.set(message.items[2]!.input_key, { body: bigger, contentType: "image/png" });
    delete message.items[2]!.input_etag;
    const outcome = await pipeline().runJob(message);
    expect(outcome).toMatchObject({ done: 1, failed: 2 });
    const byIdx = new Map(reports(message.job_id).map((body) => [body.idx, body]));
    expect(byIdx.get(0)).toMatchObject({ status: "done" });
    expect(byIdx.get(1)).toMatchObject({ status: "failed", error_code: "INPUT_CHANGED" });
    expect(byIdx.get(2)).toMatchObject({ status: "failed", error_code: "INPUT_CHANGED" });
  });

  it("never reads past MAX_UPLOAD_BYTES: large, endless and over-pinned inputs are INPUT_TOO_LARGE", async () => {
    const cap = 64 * 1024;
    const message = job([Buffer.concat([scenePng, Buffer.alloc(cap)]), null, scenePng]);
    s3.endless.add(message.items[1]!.input_key);
    message.items[2]!.input_size = cap + 1;
    const before = s3.requests.length;
    const outcome = await pipeline({ maxUploadBytes: cap }).runJob(message);
    expect(outcome).toMatchObject({ done: 0, failed: 3 });
    expect(reports(message.job_id).map((body) => body.error_code)).toEqual(Array(3).fill("INPUT_TOO_LARGE"));
    // The over-pinned input is refused from the message alone.
    expect(s3.requests.slice(before)).not.toContain(`GET ${message.items[2]!.input_key}`);
  });

  it("decodes only JPEG, PNG and WebP: SVG, GIF and TIFF inputs fail with INPUT_INVALID", async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>',
    );
    const gif = await sharp(scenePng).gif().toBuffer();
    const tiff = await sharp(scenePng).tiff().toBuffer();
    const webp = await sharp(scenePng).webp().toBuffer();
    const jpeg = await sharp(scenePng).jpeg().toBuffer();
    expect((await sharp(svg).metadata()).format).toBe("svg");
    const message = job([svg, gif, tiff, webp, jpeg]);
    const outcome = await pipeline().runJob(message);
    const byIdx = new Map(reports(message.job_id).map((body) => [body.idx, body]));
    expect([0, 1, 2].map((idx) => byIdx.get(idx)?.error_code)).toEqual(Array(3).fill("INPUT_INVALID"));
    expect([3, 4].map((idx) => byIdx.get(idx)?.status)).toEqual(["done", "done"]);
    expect(outcome).toMatchObject({ done: 2, failed: 3 });
  });

  it("fails every item with SEGMENT_FAILED when the segmenter cannot prepare the job", async () => {
    const broken: Segmenter = {
      name: "broken",
      report: createCpuSegmenter().report,
      close: async () => {},
      forJob: async () => Promise.reject(new Error("model missing")),
    };
    const message = job([scenePng, scenePng]);
    const outcome = await pipeline({ segmenter: broken }).runJob(message);
    expect(outcome).toMatchObject({ failed: 2, complete: true });
    expect(reports(message.job_id).map((body) => body.error_code)).toEqual(["SEGMENT_FAILED", "SEGMENT_FAILED"]);
  });

  it("after stop(), starts no new item: the rest stay unreported for redelivery", async () => {
    const message = job(Array(4).fill(scenePng), { batch_concurrency: 1 });
    const run = pipeline();
    const running = run.runJob(message);
    await sleep(5);
    run.stop();
    const outcome = await running;
    expect(outcome.complete).toBe(false);
    expect(outcome.done + outcome.failed).toBeLessThan(4);
    expect(outcome.unreported).toBe(4 - outcome.done - outcome.failed);
  });

  it("stops a job its user canceled: the items not started are skipped and the message is complete", async () => {
    const message = job([scenePng, scenePng, scenePng, scenePng], { batch_concurrency: 1 });
    callbacks.canceled.add(message.job_id);
    const outcome = await pipeline({ batchConcurrency: 1 }).runJob(message);
    expect(reports(message.job_id)).toHaveLength(1);
    expect(s3.objects.has(message.items[1]!.output_key)).toBe(false);
    expect(outcome.complete).toBe(true);
  });

  for (const status of ["failed", "done"]) {
    it(`a final job stops the GPU worker: a callback answer naming ${status} skips the items not started`, async () => {
      // A late delivery (lease expiry, redelivery) of a job the Worker already settled.
      const message = job([scenePng, scenePng, scenePng, scenePng], { batch_concurrency: 1 });
      callbacks.statuses.set(message.job_id, status);
      const outcome = await pipeline({ batchConcurrency: 1 }).runJob(message);
      expect(reports(message.job_id)).toHaveLength(1);
      for (const item of message.items.slice(1)) expect(s3.objects.has(item.output_key)).toBe(false);
      expect(outcome.complete).toBe(true);
    });
  }

  it(
    "the pass-through benchmark's item stage, passed in by the benchmark, copies each " +
      "input to its result and preview without segmenting",
    async () => {
      const refusing: Segmenter = {
        name: "refusing",
        report: createCpuSegmenter().report,
        forJob: async () => ({ segment: () => Promise.reject(new Error("segmenter used")) }),
        close: async () => {},
      };
      const message = job([scenePng]);
      const outcome = await pipeline({ segmenter: refusing, itemStage: passThroughStage }).runJob(message);
      expect(outcome).toMatchObject({ done: 1, failed: 0, complete: true });
      expect(s3.objects.get(message.items[0]!.output_key)?.body.equals(scenePng)).toBe(true);
      expect(s3.objects.get(message.items[0]!.preview_key)?.body.equals(scenePng)).toBe(true);
    },
  );
});

describe("pipeline with the render step on the render pool and a pixel budget", () => {
  let pool: RenderPool;
  beforeAll(() => {
    pool = createRenderPool(2);
  });
  afterAll(async () => {
    await pool.close();
  });

  /** Every output of the job's item 0, by key suffix. */
  const outputs = (message: QueueMessage) =>
    [...s3.objects].filter(([key]) => key.includes(`/${message.job_id}/`) && !key.startsWith("inputs/"));

  it("writes the same bytes as the render step on the main thread, and reports each item", async () => {
    const inline = job([scenePng]);
    const pooled = job([scenePng, scenePng, scenePng]);
    await pipeline().runJob(inline);
    expect(await pipeline({ renderPool: pool }).runJob(pooled)).toMatchObject({ done: 3, failed: 0, complete: true });
    const expected = outputs(inline).map(([key, object]) => [key.replace(inline.job_id, pooled.job_id), object.body]);
    const got = new Map(outputs(pooled).map(([key, object]) => [key, object.body]));
    expect(expected.length).toBeGreaterThanOrEqual(7);
    for (const [key, body] of expected)
      expect(Buffer.compare(got.get(key as string)!, body as Buffer), key as string).toBe(0);
    expect(reports(pooled.job_id).map((body) => body.status)).toEqual(["done", "done", "done"]);
  });

  it("decodes no more pixels at once than MAX_PIXELS_IN_FLIGHT allows, whatever BATCH_CONCURRENCY", async () => {
    let inFlight = 0,
      most = 0;
    const cpu = createCpuSegmenter();
    const counting: Segmenter = {
      name: "counting",
      report: cpu.report,
      close: async () => {},
      async forJob(concepts) {
        const job = await cpu.forJob(concepts);
        return {
          async segment(image) {
            // Without the budget, four items would be here at once during the sleep.
            most = Math.max(most, ++inFlight);
            await sleep(20);
            inFlight--;
            return job.segment(image);
          },
        };
      },
    };
    const message = job(Array(4).fill(scenePng));
    const outcome = await pipeline({ segmenter: counting, renderPool: pool, maxPixelsInFlight: 200 * 150 }).runJob(
      message,
    );
    expect(outcome).toMatchObject({ done: 4, complete: true });
    expect(most).toBe(1);
  });

  it("a bad input still fails only its own item, with its code", async () => {
    const message = job([scenePng, Buffer.from("not an image")]);
    const outcome = await pipeline({ renderPool: pool }).runJob(message);
    expect(outcome).toMatchObject({ done: 1, failed: 1, complete: true });
    expect(reports(message.job_id).find((body) => body.idx === 1)?.error_code).toBe("INPUT_INVALID");
  });
});
