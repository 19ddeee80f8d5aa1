// Protect is proven, not promised (docs/reports.md): a kernel that writes even one protect pixel
// fails the item PROTECT_VIOLATION, and none of its outputs reach storage.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import pino from "pino";
import sharp from "sharp";
import { storageKeys } from "@s3/contract";
import { interiorScene, queueItems, queueMessage } from "@s3/contract/testing";
import { pipelineAgainst } from "../helpers/pipeline";
import { startFakeCallbacks, startFakeS3, type FakeCallbacks, type FakeS3 } from "../helpers/servers";

const faulty = vi.hoisted(() => ({ on: false }));

// The faulty kernel: the real one, then one protect pixel overwritten.
vi.mock("../../src/engine/apply", async (importOriginal) => {
  const apply = await importOriginal<typeof import("../../src/engine/apply")>();
  return {
    ...apply,
    applyRuleReusing(input: Parameters<typeof apply.applyRuleReusing>[0]) {
      const edited = apply.applyRuleReusing(input);
      const at = input.protect?.findIndex((v) => v !== 0) ?? -1;
      if (faulty.on && at >= 0) edited.pixels[at * 3] = edited.pixels[at * 3]! ^ 0x80;
      return edited;
    },
  };
});

const SECRET = "gpu-callback-secret-for-tests-0123456789";
const USER = "u_protect";
const logger = pino({ level: "silent" });
const scene = interiorScene(200, 150, 11);
let s3: FakeS3;
let callbacks: FakeCallbacks;

beforeAll(async () => {
  [s3, callbacks] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
});
afterAll(async () => {
  await Promise.all([s3.close(), callbacks.close()]);
});

async function run(jobId: string) {
  const png = await sharp(scene.image.data, { raw: { width: 200, height: 150, channels: 3 } })
    .png()
    .toBuffer();
  s3.objects.set(storageKeys.input(USER, jobId, 0), { body: png, contentType: "image/png" });
  const message = queueMessage({
    job_id: jobId,
    user_id: USER,
    concepts: { Wall: { action: "recolor", value: "navy_a" } },
    protect: ["Frame_Molding", "Grout"],
    items: queueItems(USER, jobId, 1),
    callback_url: callbacks.url(jobId),
    watermark: false,
  });
  const retry = { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 };
  const outcome = await pipelineAgainst({ s3, callbacks, secret: SECRET, retry, logger }).runJob(message);
  const body = callbacks.received.find((r) => r.jobId === jobId)!.body;
  const stored = [...s3.objects.keys()].filter((key) => key.includes(jobId) && !key.startsWith("inputs/"));
  return { outcome, body, stored };
}

describe("protect violation", () => {
  it("a kernel that writes one protect pixel fails the item PROTECT_VIOLATION before any upload", async () => {
    faulty.on = true;
    const { outcome, body, stored } = await run("job_protectbad");
    expect(outcome).toMatchObject({ done: 0, failed: 1, complete: true });
    expect(body).toMatchObject({ status: "failed", error_code: "PROTECT_VIOLATION", output_key: null });
    expect(String(body.error)).toMatch(/^1 protect pixels changed/);
    expect(stored).toEqual([]);
  });

  it("the same job with the real kernel is done, its report saying protect held", async () => {
    faulty.on = false;
    const { outcome, body, stored } = await run("job_protectgood");
    expect(outcome).toMatchObject({ done: 1, failed: 0 });
    expect(body).toMatchObject({ status: "done", report: { protect_changed_pixels: 0 } });
    expect(stored.length).toBeGreaterThan(0);
  });
});
