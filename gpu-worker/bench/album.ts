// Album benchmark (docs/gpu-worker.md, "Mask cache"): one album scanned once and rendered again with
// a new rule. SEGMENTER=sim (the benchmark stand-in: 30 ms per photo + 10 ms per concept by default)
// behind the real pipeline, mask cache and render pool, against an in-process fake S3 and callback
// receiver on loopback. Prints, from one process:
//   - first run vs re-run with a new rule: segmenter calls, wall time, the ratio;
//   - per output format (PNG, JPEG, WebP at quality 92): the result's bytes and encode ms per photo,
//     each format encoding the same result pixels.
//   npm run bench:album -- --photos 50 --mp 12 [--sim-ms 30 --concept-ms 10 --threads N]
import os from "node:os";
import { parseArgs } from "node:util";
import pino from "pino";
import sharp from "sharp";
import { OUTPUT_FORMATS, OUTPUT_QUALITY, storageKeys, type QueueMessage } from "@s3/contract";
import { interiorScene } from "@s3/contract/testing";
import { createCallbackSender, type CallbackSender } from "../src/engine/callback";
import { encodeResult } from "../src/engine/image";
import { createMaskCache, type MaskCache } from "../src/engine/mask-cache";
import { createPipeline, type Pipeline } from "../src/engine/pipeline";
import { createRenderPool } from "../src/engine/render-pool";
import { createSimSegmenter } from "../src/engine/segmenter/sim";
import { createStorage } from "../src/engine/storage";
import { startFakeCallbacks, startFakeS3 } from "../test/helpers/servers";

const { values: args } = parseArgs({
  options: {
    photos: { type: "string", default: "50" },
    mp: { type: "string", default: "12" },
    "sim-ms": { type: "string", default: "30" },
    "concept-ms": { type: "string", default: "10" },
    threads: { type: "string", default: String(os.availableParallelism()) },
  },
});
const photos = Number(args.photos),
  megapixels = Number(args.mp),
  simMs = Number(args["sim-ms"]),
  conceptMs = Number(args["concept-ms"]),
  threads = Number(args.threads);
if (![photos, megapixels, threads].every((n) => Number.isFinite(n) && n > 0) || !(simMs >= 0 && conceptMs >= 0))
  throw new Error("usage: --photos N --mp MEGAPIXELS --sim-ms MS --concept-ms MS --threads N");
// 4:3 photos of about `megapixels` (12 MP: 4000 × 3000).
const width = Math.round(Math.sqrt((megapixels * 1e6 * 4) / 3) / 8) * 8,
  height = Math.round((width * 3) / 4);

const USER = "u_bench_album",
  SECRET = "bench-secret";
const PROTECT = ["Grout", "Frame_Molding"];
const FIRST_RULE: QueueMessage["concepts"] = {
  Wall: { action: "recolor", value: "sage_a" },
  Floor: { action: "texture", value: "wood" },
  Door: { action: "tone", value: "warm" },
};
/** The client's second palette: other colours and tones on the same concepts. */
const NEW_RULE: QueueMessage["concepts"] = {
  Wall: { action: "recolor", value: "terracotta_a" },
  Floor: { action: "recolor", value: "walnut_a" },
  Door: { action: "tone", value: "cool" },
};

console.log(
  `gpu-worker bench:album — ${photos} photos of ${width}×${height} (${((width * height) / 1e6).toFixed(1)} MP), ` +
    `SEGMENTER=sim (benchmark stand-in) at ${simMs} ms/photo + ${conceptMs} ms/concept, render pool ${threads}, ` +
    `node ${process.version}, ${os.availableParallelism()} cores, load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
);

// One generated room; each photo's JPEG gets its own comment segment, so every photo has its own bytes
// (its own SHA-256, its own cache entry) and the sim still recognises the scene.
const scene = interiorScene(width, height, 7);
const base = await sharp(scene.image.data, { raw: { width, height, channels: 3 } })
  .jpeg({ quality: 92 })
  .toBuffer();
const withComment = (note: string) => {
  const text = Buffer.from(note);
  const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, text.length + 2]), text]);
  return Buffer.concat([base.subarray(0, 2), comment, base.subarray(2)]);
};
const album = Array.from({ length: photos }, (_, idx) => withComment(`album photo ${idx}`));

const segmenter = createSimSegmenter({ imageMs: simMs, conceptMs });
segmenter.prepare("interior", width, height);
const [s3, receiver] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
// LOG_LEVEL=info prints the pipeline's JSON log (per-item stage ms) to stdout.
const logger = pino({ level: process.env.LOG_LEVEL ?? "silent" });
const sender = createCallbackSender({ secret: SECRET, origin: receiver.url("job_x"), timeoutSec: 30, logger });
/** Result bytes per job, recorded before the outputs are dropped (the fake bucket would hold GBs). */
const resultBytes = new Map<string, number[]>();
const keep = (key: string) => key.startsWith("inputs/") || key.startsWith("cache/");
const callbacks: CallbackSender = {
  allows: sender.allows,
  async send(url, body, log) {
    const result = await sender.send(url, body, log);
    const job = url.split("/").at(-2)!;
    const output = body.output_key ? s3.objects.get(body.output_key) : undefined;
    if (output) (resultBytes.get(job) ?? resultBytes.set(job, []).get(job)!).push(output.body.byteLength);
    for (const key of s3.objects.keys()) if (!keep(key) && !key.endsWith("_result.png")) s3.objects.delete(key);
    return result;
  },
};
const pool = createRenderPool(threads);
const storage = createStorage({ endpoint: s3.endpoint, accessKey: "test-access", secretKey: "s", bucket: s3.bucket });
const pipelineWith = (maskCache: MaskCache | null) =>
  createPipeline({
    storage,
    segmenter,
    callbacks,
    logger,
    batchConcurrency: 2 * threads + 2,
    maxInputPixels: 100_000_000,
    maxUploadBytes: 100_000_000,
    renderPool: pool,
    maskCache,
  });
const cached = pipelineWith(createMaskCache(storage));
/** The control: the same pipeline without a mask cache, so every run segments (as before albums). */
const uncached = pipelineWith(null);

let jobs = 0;
async function runAlbum(pipeline: Pipeline, concepts: QueueMessage["concepts"], photosOfJob = album) {
  const jobId = `job_album${++jobs}`;
  // Only the last run's results stay (the format comparison reads them).
  for (const key of s3.objects.keys()) if (key.startsWith("outputs/")) s3.objects.delete(key);
  // The re-run's inputs are copies of the first job's (POST /jobs {from_job}): the same bytes.
  const items = photosOfJob.map((body, idx) => {
    s3.objects.set(storageKeys.input(USER, jobId, idx), { body, contentType: "image/jpeg" });
    return {
      idx,
      input_key: storageKeys.input(USER, jobId, idx),
      output_key: storageKeys.output(USER, jobId, idx),
      preview_key: storageKeys.preview(USER, jobId, idx),
    };
  });
  const callsBefore = pipeline.segmentCounts.segmenter_calls;
  const started = performance.now();
  const outcome = await pipeline.runJob({
    job_id: jobId,
    user_id: USER,
    preset: "interior",
    concepts,
    protect: PROTECT,
    items,
    callback_url: receiver.url(jobId),
    idempotency_prefix: jobId,
    batch_concurrency: 2 * threads + 2,
    watermark: false,
    locale: "ko",
    attempt: 1,
    output_format: "png",
  });
  const wallMs = performance.now() - started;
  if (outcome.failed > 0) throw new Error(`${jobId}: ${outcome.failed} of ${items.length} photos failed`);
  return { jobId, wallMs, calls: pipeline.segmentCounts.segmenter_calls - callsBefore };
}

// Untimed warm-up on photos of their own: each pool thread loads the applier and its kernel once.
await runAlbum(
  cached,
  FIRST_RULE,
  Array.from({ length: threads }, (_, idx) => withComment(`warm-up ${idx}`)),
);
const cacheSize = (): number => [...s3.objects.keys()].filter((key) => key.startsWith("cache/")).length;
const cachedBefore = cacheSize();
const first = await runAlbum(cached, FIRST_RULE);
const rerun = await runAlbum(cached, NEW_RULE);
const control = await runAlbum(uncached, NEW_RULE);
const cacheObjects = cacheSize() - cachedBefore;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `first run (segment + render):   ${first.calls} segmenter calls, ${seconds(first.wallMs)} ` +
    `(${(first.wallMs / photos).toFixed(0)} ms/photo); the album's mask cache: ${cacheObjects} objects`,
);
console.log(
  `re-run with a new rule (cache): ${rerun.calls} segmenter calls, ${seconds(rerun.wallMs)} ` +
    `(${(rerun.wallMs / photos).toFixed(0)} ms/photo)`,
);
console.log(
  `control, the new rule without the cache: ${control.calls} segmenter calls, ${seconds(control.wallMs)} ` +
    `(${(control.wallMs / photos).toFixed(0)} ms/photo)`,
);
const deviceMs = first.calls * (simMs + conceptMs * (Object.keys(NEW_RULE).length + PROTECT.length));
console.log(
  `segmenter calls ${first.calls} → ${rerun.calls}; ` +
    `wall time re-run / first = ${(rerun.wallMs / first.wallMs).toFixed(2)}, ` +
    `re-run / control (same rule, no cache) = ${(rerun.wallMs / control.wallMs).toFixed(2)}; ` +
    `simulated device time saved ${seconds(deviceMs)} of the first run's ${seconds(first.wallMs)} ` +
    `(the rest is the render step, which every rule runs)`,
);

// Formats: the new rule's result pixels (the last run's), encoded in each format one photo at a time,
// as a render thread does.
const totals = Object.fromEntries(OUTPUT_FORMATS.map((format) => [format, { bytes: 0, ms: 0 }]));
for (let idx = 0; idx < photos; idx++) {
  const png = s3.objects.get(storageKeys.output(USER, control.jobId, idx))!.body;
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  for (const format of OUTPUT_FORMATS) {
    const started = performance.now();
    const body = await encodeResult(format, width, height, data);
    totals[format]!.ms += performance.now() - started;
    totals[format]!.bytes += body.byteLength;
  }
}
const png = totals.png!;
console.log(`per photo, the new rule's result (${photos} photos, quality ${OUTPUT_QUALITY} for JPEG and WebP):`);
for (const format of OUTPUT_FORMATS) {
  const { bytes, ms } = totals[format]!;
  console.log(
    `  ${format.padEnd(4)} ${(bytes / photos / 1e6).toFixed(2).padStart(6)} MB ` +
      ` ${(ms / photos).toFixed(0).padStart(5)} ms encode` +
      `  (bytes ${(bytes / png.bytes).toFixed(3)}× PNG, encode ${(ms / png.ms).toFixed(2)}× PNG)`,
  );
}
const stored = resultBytes.get(control.jobId) ?? [];
console.log(
  `  (PNG as the pipeline stored it: ${(stored.reduce((a, b) => a + b, 0) / stored.length / 1e6).toFixed(2)} MB/photo)`,
);

await pool.close();
await segmenter.close();
await Promise.all([s3.close(), receiver.close()]);
