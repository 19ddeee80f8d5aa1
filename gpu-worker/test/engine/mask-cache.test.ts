import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import sharp from "sharp";
import { storageKeys, type QueueMessage } from "@s3/contract";
import { interiorScene, queueItems, queueMessage } from "@s3/contract/testing";
import { createCpuSegmenter } from "../../src/engine/segmenter/cpu";
import type { Segmenter } from "../../src/engine/segmenter/types";
import { pipelineAgainst } from "../helpers/pipeline";
import { startFakeCallbacks, startFakeS3, type FakeCallbacks, type FakeS3 } from "../helpers/servers";

const SECRET = "gpu-callback-secret-for-tests-0123456789";
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const logger = pino({ level: "silent" });
const scene = interiorScene(160, 120, 3);

let s3: FakeS3;
let callbacks: FakeCallbacks;
let scenePng: Buffer;
let jobCounter = 0;

beforeAll(async () => {
  [s3, callbacks] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
  scenePng = await sharp(scene.image.data, { raw: { width: 160, height: 120, channels: 3 } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await Promise.all([s3.close(), callbacks.close()]);
});
beforeEach(() => {
  callbacks.received.length = 0;
  s3.requests.length = 0;
});

/** The cpu stand-in, counting the photos it segments and the concepts of each job it prepares. */
function countingSegmenter(overrides: { version?: string; prompt?: (concept: string) => string } = {}) {
  const cpu = createCpuSegmenter();
  const counted = { photos: 0, prepared: [] as string[][] };
  const segmenter: Segmenter = {
    ...cpu,
    report: { ...cpu.report, segmenter: overrides.version ?? cpu.report.segmenter },
    ...(overrides.prompt ? { prompt: overrides.prompt } : {}),
    async forJob(concepts) {
      counted.prepared.push([...concepts]);
      const job = await cpu.forJob(concepts);
      return {
        segment(image, hints) {
          counted.photos++;
          return job.segment(image, hints);
        },
      };
    },
  };
  return { segmenter, counted };
}

function job(user: string, input: Uint8Array, overrides: Partial<QueueMessage> = {}): QueueMessage {
  const jobId = `job_cache${++jobCounter}`;
  s3.objects.set(storageKeys.input(user, jobId, 0), { body: Buffer.from(input), contentType: "image/png" });
  return queueMessage({
    job_id: jobId,
    user_id: user,
    concepts: { Wall: { action: "recolor", value: "sage_a" }, Floor: { action: "tone", value: "warm" } },
    protect: ["Grout"],
    items: queueItems(user, jobId, 1),
    callback_url: callbacks.url(jobId),
    watermark: false,
    ...overrides,
  });
}

async function run(segmenter: Segmenter, message: QueueMessage) {
  const outcome = await pipelineAgainst(
    { s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger },
    { segmenter, maskCache: true },
  ).runJob(message);
  expect(outcome).toMatchObject({ done: 1, failed: 0 });
  const body = callbacks.received.find((received) => received.jobId === message.job_id)!.body;
  return { body, result: s3.objects.get(storageKeys.output(message.user_id, message.job_id, 0))!.body };
}

describe("mask cache", () => {
  it("a second job over the same photo runs no segmentation and gives byte-identical results", async () => {
    const { segmenter, counted } = countingSegmenter();
    const first = await run(segmenter, job("u_alba", scenePng));
    expect(counted.photos).toBe(1);
    expect(first.body.report).toMatchObject({ segmented: "model" });
    expect([...s3.objects.keys()].some((key) => key.startsWith("cache/u_alba/"))).toBe(true);

    const second = await run(segmenter, job("u_alba", scenePng));
    expect(counted.photos).toBe(1);
    expect(second.body.report).toMatchObject({ segmented: "cache" });
    expect(Buffer.compare(second.result, first.result)).toBe(0);
    const { segmented: _a, ...firstReport } = first.body.report as Record<string, unknown>;
    const { segmented: _b, ...secondReport } = second.body.report as Record<string, unknown>;
    expect(secondReport).toEqual(firstReport);
  });

  it("a photo with one concept cached segments only the other", async () => {
    const { segmenter, counted } = countingSegmenter();
    await run(segmenter, job("u_bruno", scenePng, { concepts: { Wall: { action: "recolor", value: "sage_a" } } }));
    const second = await run(segmenter, job("u_bruno", scenePng));
    expect(counted.photos).toBe(2);
    expect(counted.prepared.at(-1)).toEqual(["Floor"]);
    expect(second.body.report).toMatchObject({ segmented: "model" });
  });

  it("a changed input byte misses, even with the same pixels", async () => {
    const { segmenter, counted } = countingSegmenter();
    await run(segmenter, job("u_chen", scenePng));
    const samePixels = await sharp(scene.image.data, { raw: { width: 160, height: 120, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    expect(Buffer.compare(samePixels, scenePng)).not.toBe(0);
    const second = await run(segmenter, job("u_chen", samePixels));
    expect(counted.photos).toBe(2);
    expect(second.body.report).toMatchObject({ segmented: "model" });
  });

  it("a changed prompt or model version misses", async () => {
    await run(countingSegmenter().segmenter, job("u_dana", scenePng));
    const reworded = countingSegmenter({ prompt: (concept) => `the ${concept.toLowerCase()} of a room` });
    await run(reworded.segmenter, job("u_dana", scenePng));
    expect(reworded.counted.photos).toBe(1);
    const newModel = countingSegmenter({ version: "cpu-stand-in@999" });
    const third = await run(newModel.segmenter, job("u_dana", scenePng));
    expect(newModel.counted.photos).toBe(1);
    expect(third.body.report).toMatchObject({ segmented: "model", segmenter: "cpu-stand-in@999" });
  });

  it("another user's cache is never read", async () => {
    const { segmenter, counted } = countingSegmenter();
    await run(segmenter, job("u_erin", scenePng));
    s3.requests.length = 0;
    const other = await run(segmenter, job("u_farid", scenePng));
    expect(counted.photos).toBe(2);
    expect(other.body.report).toMatchObject({ segmented: "model" });
    expect(s3.requests.filter((request) => request.includes("cache/u_erin/"))).toEqual([]);
  });

  it("an entry with a part missing is a miss, segmented again", async () => {
    const { segmenter, counted } = countingSegmenter();
    await run(segmenter, job("u_gus", scenePng));
    const part = [...s3.objects.keys()].find((key) => key.startsWith("cache/u_gus/") && key.endsWith(".png"))!;
    s3.objects.delete(part);
    const second = await run(segmenter, job("u_gus", scenePng));
    expect(counted.photos).toBe(2);
    expect(second.body.report).toMatchObject({ segmented: "model" });
  });
});
