// Whole-pipeline benchmark with SEGMENTER=sim, the benchmark stand-in for the accelerator:
// generated photos go through download, decode, simulated segmentation, apply, encode,
// upload and callback, against an in-process fake S3 and callback receiver on loopback.
// Prints photos/s, the simulated GPU's busy fraction, the event loop's delay p99 and peak RSS.
//   npm run bench:gpu -- --photos 12 --concurrency 4 --size 4000x3000 --sim-ms 30
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pino from "pino";
import sharp from "sharp";
import { storageKeys, type QueueMessage } from "@s3/contract";
import { interiorScene } from "@s3/contract/testing";
import { createCallbackSender, type CallbackSender } from "../src/engine/callback";
import { createPipeline } from "../src/engine/pipeline";
import { createSimSegmenter } from "../src/engine/segmenter/sim";
import { createStorage } from "../src/engine/storage";
import { startFakeCallbacks, startFakeS3 } from "../test/helpers/servers";

const { values: args } = parseArgs({
  options: {
    photos: { type: "string", default: "12" },
    concurrency: { type: "string", default: "4" },
    size: { type: "string", default: "4000x3000" },
    "sim-ms": { type: "string", default: "30" },
  },
});
const photos = Number(args.photos),
  concurrency = Number(args.concurrency),
  simMs = Number(args["sim-ms"]);
const [width, height] = args.size.split("x").map(Number) as [number, number];
if (![photos, concurrency, simMs, width, height].every((n) => Number.isInteger(n) && n >= 0) || photos < 1)
  throw new Error("usage: --photos N --concurrency C --size WxH --sim-ms MS (integers)");

const USER = "u_bench",
  JOB = "job_bench_gpu",
  SECRET = "bench-secret";
const RULE: QueueMessage["concepts"] = {
  Wall: { action: "recolor", value: "sage_a" },
  Floor: { action: "texture", value: "wood" },
  Door: { action: "tone", value: "warm" },
};
const PROTECT = ["Grout", "Frame_Molding"];

console.log(
  `gpu-worker bench:gpu — ${photos} photos of ${width}×${height} (${((width * height) / 1e6).toFixed(1)} MP), ` +
    `concurrency ${concurrency}, SEGMENTER=sim (benchmark stand-in) at ${simMs} ms/photo, ` +
    `node ${process.version}, ${os.availableParallelism()} cores`,
);
const scene = interiorScene(width, height, 7);
const jpeg = await sharp(scene.image.data, { raw: { width, height, channels: 3 } })
  .jpeg({ quality: 92 })
  .toBuffer();
const segmenter = createSimSegmenter({ imageMs: simMs, conceptMs: 0 });
segmenter.prepare("interior", width, height); // the known masks are built before timing starts

const [s3, receiver] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
const logger = pino({ level: "silent" });
const sender = createCallbackSender({ secret: SECRET, origin: receiver.url(JOB), timeoutSec: 30, logger });
// Outputs are dropped once reported, so the fake bucket does not grow the RSS being measured.
const callbacks: CallbackSender = {
  allows: sender.allows,
  async send(url, body, log) {
    const result = await sender.send(url, body, log);
    for (const key of s3.objects.keys()) if (!key.startsWith("inputs/")) s3.objects.delete(key);
    return result;
  },
};
const pipeline = createPipeline({
  storage: createStorage({ endpoint: s3.endpoint, accessKey: "test-access", secretKey: "s", bucket: s3.bucket }),
  segmenter,
  callbacks,
  logger,
  batchConcurrency: concurrency,
  maxInputPixels: 100_000_000,
  maxUploadBytes: 100_000_000,
});
const items = Array.from({ length: photos }, (_, idx) => {
  s3.objects.set(storageKeys.input(USER, JOB, idx), { body: jpeg, contentType: "image/jpeg" });
  return {
    idx,
    input_key: storageKeys.input(USER, JOB, idx),
    output_key: storageKeys.output(USER, JOB, idx),
    preview_key: storageKeys.preview(USER, JOB, idx),
  };
});

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let peakRss = process.memoryUsage().rss;
const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const cpuBefore = process.cpuUsage();
const busyBefore = segmenter.busyMs;
loopDelay.enable();
const started = performance.now();
const outcome = await pipeline.runJob({
  job_id: JOB,
  user_id: USER,
  preset: "interior",
  concepts: RULE,
  protect: PROTECT,
  items,
  callback_url: receiver.url(JOB),
  idempotency_prefix: JOB,
  batch_concurrency: concurrency,
  watermark: true,
  attempt: 1,
});
const wallMs = performance.now() - started;
loopDelay.disable();
clearInterval(rssSampler);
const cpu = process.cpuUsage(cpuBefore);
await Promise.all([s3.close(), receiver.close()]);

const rate = (outcome.done / wallMs) * 1000;
const busy = (segmenter.busyMs - busyBefore) / wallMs;
const p99 = loopDelay.percentile(99) / 1e6;
const peakMb = peakRss / 2 ** 20;
const mark = (ok: boolean) => (ok ? "OK" : "MISS");
console.log(`done ${outcome.done}/${outcome.total} (failed ${outcome.failed}) in ${wallMs.toFixed(0)} ms`);
console.log(`photos/s            ${rate.toFixed(2)}  (the simulated GPU alone could do ${(1000 / simMs).toFixed(1)})`);
console.log(`simulated GPU busy  ${(100 * busy).toFixed(1)} %`);
console.log(
  `event loop delay    p99 ${p99.toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms (target p99 ≤ 50) ${mark(p99 <= 50)}`,
);
console.log(`peak RSS            ${peakMb.toFixed(0)} MB during the run (target ≤ 1536) ${mark(peakMb <= 1536)}`);
console.log(
  `CPU                 ${((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2)} cores busy on average, ` +
    `${((cpu.user + cpu.system) / 1000 / Math.max(1, outcome.done)).toFixed(0)} ms of CPU per photo`,
);
