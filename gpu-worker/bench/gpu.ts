// Whole-pipeline benchmark with SEGMENTER=sim, the benchmark stand-in for the accelerator:
// generated photos go through download, decode, simulated segmentation, apply, encode,
// upload and callback, against a fake S3 and callback receiver on loopback, on a thread of their own
// (fake-services.ts) so their work is not the measured event loop's.
// Runs once per render pool size (--threads, default 1 and every core) and prints photos/s, the
// scaling between the first and last size, the simulated GPU's busy fraction, the event loop's
// delay p99 and peak RSS. Ratios come from one process, so machine load hits every size alike.
// At the last pool size it runs again with the sim blocking its own thread (SIM_MODE=blocking, as
// onnxruntime's run() blocks) and prints photos/s blocking vs timer. Then the real-weights model
// (PP-OCRv4 text detection, the onnx segmenter on CPU): segment ms per photo and event-loop p99.
//   npm run bench:gpu -- --photos 8 --threads 1,2 --size 4000x3000 --sim-ms 30 --concept-ms 10 [--pin]
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance as perf } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { FakeServices, FakeServicesRequest } from "./fake-services";
import pino from "pino";
import sharp from "sharp";
import { storageKeys, type QueueMessage } from "@s3/contract";
import { interiorScene } from "@s3/contract/testing";
import { Worker } from "node:worker_threads";
import { createCallbackSender } from "../src/engine/callback";
import { createRenderPool } from "../src/engine/render-pool";
import { createPipeline } from "../src/engine/pipeline";
import { createOnnxSegmenter } from "../src/engine/segmenter/onnx";
import { createSimSegmenter, type SimMode, type SimSegmenter } from "../src/engine/segmenter/sim";
import { createStorage } from "../src/engine/storage";
import { PPOCR_DETECTION_FILE, productPhoto, writePpocrModelDir } from "../test/engine/segmenter/onnx/ppocr";

const { values: args } = parseArgs({
  options: {
    photos: { type: "string", default: "8" },
    threads: { type: "string", default: `1,${os.availableParallelism()}` },
    concurrency: { type: "string", default: "0" },
    "max-pixels": { type: "string", default: "100000000" },
    size: { type: "string", default: "4000x3000" },
    "sim-ms": { type: "string", default: "30" },
    "concept-ms": { type: "string", default: "10" },
    /** Photos for the real-weights (PP-OCRv4 on CPU) leg; 0 skips it. */
    "ocr-photos": { type: "string", default: "4" },
    /** Hold each pool size to as many cores with taskset, one child process each (Linux). */
    pin: { type: "boolean", default: false },
  },
});
const photos = Number(args.photos),
  simMs = Number(args["sim-ms"]),
  conceptMs = Number(args["concept-ms"]),
  ocrPhotos = Number(args["ocr-photos"]),
  maxPixels = Number(args["max-pixels"]);
const threadCounts = [...new Set(args.threads.split(",").map(Number))];
if (!threadCounts.every((n) => Number.isInteger(n) && n >= 1))
  throw new Error("--threads: pool sizes ≥ 1, comma-separated");
/** Items in flight: enough to keep each pool thread and the simulated GPU busy (0 = 2 × threads + 2). */
const concurrencyFor = (threads: number) => Number(args.concurrency) || 2 * threads + 2;
const [width, height] = args.size.split("x").map(Number) as [number, number];
if (
  ![photos, simMs, conceptMs, ocrPhotos, width, height, maxPixels].every((n) => Number.isInteger(n) && n >= 0) ||
  photos < 1
)
  throw new Error(
    "usage: --photos N --threads 1,2 --concurrency C --size WxH --sim-ms MS --concept-ms MS " +
      "--max-pixels P --ocr-photos N (integers)",
  );

// --pin: "1 core vs all cores" literally. Each pool size N runs in a child held to cores 0..N-1, so
// the 1-thread leg cannot borrow the second core for its main thread and libvips (docs/gpu-worker.md).
if (args.pin && !process.env.BENCH_GPU_CHILD) {
  const own = process.argv.slice(2).filter((arg) => arg !== "--pin");
  const withoutThreads = own.filter((arg, at) => !arg.startsWith("--threads") && own[at - 1] !== "--threads");
  const legs: { threads: number; rate: number; cores: number }[] = [];
  for (const threads of threadCounts) {
    const child = spawnSync(
      "taskset",
      [
        "-c",
        `0-${threads - 1}`,
        process.execPath,
        ...process.execArgv,
        process.argv[1]!,
        ...withoutThreads,
        `--threads=${threads}`,
      ],
      { env: { ...process.env, BENCH_GPU_CHILD: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    if (child.status !== 0) throw new Error(`the ${threads}-thread leg failed (taskset, exit ${child.status})`);
    const lines = child.stdout.trim().split("\n");
    for (const line of lines.filter((text) => !text.startsWith("BENCH_RESULT "))) console.log(line);
    const result = lines.find((text) => text.startsWith("BENCH_RESULT "));
    if (result) legs.push(JSON.parse(result.slice("BENCH_RESULT ".length)) as (typeof legs)[number]);
  }
  if (legs.length > 1) {
    const [first, last] = [legs[0]!, legs.at(-1)!];
    const scaling = last.rate / first.rate;
    console.log(
      `scaling, pool ${first.threads} on ${first.threads} core(s) → pool ${last.threads} on ${last.threads}: ` +
        `${scaling.toFixed(2)}× (target ≥ 1.8× for 1 → 2) ${scaling >= 1.8 ? "OK" : "MISS"}`,
    );
  }
  process.exit(0);
}

const USER = "u_bench",
  JOB = "job_bench_gpu",
  SECRET = "bench-secret";
const RULE: QueueMessage["concepts"] = {
  Wall: { action: "recolor", value: "sage_a" },
  Floor: { action: "texture", value: "wood" },
  Door: { action: "tone", value: "warm" },
};
const PROTECT = ["Grout", "Frame_Molding"];
const CONCEPTS = Object.keys(RULE).length + PROTECT.length;

console.log(
  `gpu-worker bench:gpu — ${photos} photos of ${width}×${height} (${((width * height) / 1e6).toFixed(1)} MP), ` +
    `SEGMENTER=sim (benchmark stand-in) at ${simMs} ms/photo + ${conceptMs} ms/concept ` +
    `(${CONCEPTS} concepts: ${simMs + conceptMs * CONCEPTS} ms/photo), MAX_PIXELS_IN_FLIGHT ${maxPixels}, ` +
    `node ${process.version}, ${os.availableParallelism()} cores, ` +
    `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}`,
);
console.log(
  `load average ${os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")} (the machine may be shared: figures are noisy)`,
);
const scene = interiorScene(width, height, 7);
const jpeg = await sharp(scene.image.data, { raw: { width, height, channels: 3 } })
  .jpeg({ quality: 92 })
  .toBuffer();
const segmenters: Record<SimMode, SimSegmenter> = {
  timer: createSimSegmenter({ imageMs: simMs, conceptMs, mode: "timer" }),
  blocking: createSimSegmenter({ imageMs: simMs, conceptMs, mode: "blocking" }),
};
// The known masks are built before timing starts.
for (const segmenter of Object.values(segmenters)) segmenter.prepare("interior", width, height);

/** The fake S3 and callback receiver on a thread of their own (fake-services.ts), off the measured loop. */
async function startFakeServices(secret: string) {
  const thread = new Worker(new URL("./fake-services-entry.mjs", import.meta.url), { workerData: { secret } });
  const stored = new Map<string, () => void>();
  const ready = await new Promise<FakeServices>((resolve, reject) => {
    thread.once("error", reject);
    thread.on("message", (reply: { ready?: FakeServices; stored?: string }) => {
      if (reply.ready) resolve(reply.ready);
      if (reply.stored) stored.get(reply.stored)?.();
    });
  });
  const send = (request: FakeServicesRequest) => thread.postMessage(request);
  return {
    ...ready,
    url: (jobId: string) => `${ready.callbackBase}/jobs/${jobId}/callback`,
    putInput: (key: string, body: Uint8Array) =>
      new Promise<void>((resolve) => {
        stored.set(key, resolve);
        send({ kind: "input", key, body });
      }),
    close: () => new Promise<void>((resolve) => (thread.once("exit", () => resolve()), send({ kind: "close" }))),
  };
}

const services = await startFakeServices(SECRET);
const logger = pino({ level: "silent" });
const callbacks = createCallbackSender({ secret: SECRET, origin: services.url(JOB), timeoutSec: 30, logger });
interface Run {
  mode: SimMode;
  threads: number;
  concurrency: number;
  rate: number;
  busy: number;
  p99: number;
  maxDelay: number;
  peakMb: number;
  cpuPerPhoto: number;
  /** Cores the process got on average (all threads): below the pool size, the machine is the limit. */
  cores: number;
  /** CPU the main thread itself used per photo: what the event loop carries, whatever the machine's load. */
  mainCpuPerPhoto: number;
  /** Share of the run the main thread's event loop spent running callbacks. */
  mainBusy: number;
  done: number;
  failed: number;
  wallMs: number;
}

async function run(threads: number, jobId: string, mode: SimMode): Promise<Run> {
  const segmenter = segmenters[mode];
  const concurrency = concurrencyFor(threads);
  const pool = createRenderPool(threads);
  const pipeline = createPipeline({
    storage: createStorage({
      endpoint: services.endpoint,
      accessKey: "test-access",
      secretKey: "s",
      bucket: services.bucket,
    }),
    segmenter,
    callbacks,
    logger,
    batchConcurrency: concurrency,
    maxInputPixels: 100_000_000,
    maxUploadBytes: 100_000_000,
    renderPool: pool,
    maxPixelsInFlight: maxPixels,
  });
  const items = Array.from({ length: photos }, (_, idx) => ({
    idx,
    input_key: storageKeys.input(USER, jobId, idx),
    output_key: storageKeys.output(USER, jobId, idx),
    preview_key: storageKeys.preview(USER, jobId, idx),
  }));
  await Promise.all(items.map((item) => services.putInput(item.input_key, jpeg)));
  // One warm-up photo per thread, untimed: each thread loads the applier and its WebAssembly kernel once.
  await pipeline.runJob({ ...message(jobId, items.slice(0, threads)), attempt: 99 });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = process.memoryUsage.rss();
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const cpuBefore = process.cpuUsage();
  const mainCpuBefore = process.threadCpuUsage();
  const busyBefore = segmenter.busyMs;
  const eluBefore = perf.eventLoopUtilization();
  loopDelay.enable();
  const started = performance.now();
  const outcome = await pipeline.runJob(message(jobId, items));
  const wallMs = performance.now() - started;
  loopDelay.disable();
  clearInterval(rssSampler);
  const cpu = process.cpuUsage(cpuBefore);
  const mainCpu = process.threadCpuUsage(mainCpuBefore);
  const elu = perf.eventLoopUtilization(eluBefore);
  await pool.close();
  return {
    mode,
    threads,
    concurrency,
    rate: (outcome.done / wallMs) * 1000,
    busy: (segmenter.busyMs - busyBefore) / wallMs,
    p99: loopDelay.percentile(99) / 1e6,
    maxDelay: loopDelay.max / 1e6,
    peakMb: peakRss / 2 ** 20,
    // The whole process: main thread, pool threads and libvips.
    cpuPerPhoto: (cpu.user + cpu.system) / 1000 / Math.max(1, outcome.done),
    cores: (cpu.user + cpu.system) / 1000 / wallMs,
    mainCpuPerPhoto: (mainCpu.user + mainCpu.system) / 1000 / Math.max(1, outcome.done),
    mainBusy: elu.utilization,
    done: outcome.done,
    failed: outcome.failed,
    wallMs,
  };
}

function message(jobId: string, items: QueueMessage["items"]): QueueMessage {
  return {
    job_id: jobId,
    user_id: USER,
    preset: "interior",
    concepts: RULE,
    protect: PROTECT,
    items,
    callback_url: services.url(jobId),
    idempotency_prefix: jobId,
    batch_concurrency: 64,
    watermark: true,
    locale: "ko",
    attempt: 1,
    output_format: "png",
  };
}

const mark = (ok: boolean) => (ok ? "OK" : "MISS");
const runs: Run[] = [];
const report = (result: Run) =>
  console.log(
    `${result.mode.padEnd(8)} sim, pool ${String(result.threads).padStart(2)} thread(s), ` +
      `${result.concurrency} items in flight: ` +
      `${result.rate.toFixed(2)} photos/s (${result.done}/${photos} done, ` +
      `${result.failed} failed, ${result.wallMs.toFixed(0)} ms); ` +
      `simulated GPU busy ${(100 * result.busy).toFixed(1)} %; ` +
      `event loop p99 ${result.p99.toFixed(0)} ms (max ${result.maxDelay.toFixed(0)}) ${mark(result.p99 <= 50)}; ` +
      `peak RSS ${result.peakMb.toFixed(0)} MB ${mark(result.peakMb <= 1536)}; process ` +
      `${result.cpuPerPhoto.toFixed(0)} ms CPU/photo on ${result.cores.toFixed(2)} cores busy on average; ` +
      `main thread busy ${(100 * result.mainBusy).toFixed(0)} %, ` +
      `${result.mainCpuPerPhoto.toFixed(0)} ms of its CPU/photo`,
  );
for (const threads of threadCounts) {
  const result = await run(threads, `${JOB}_${threads}`, "timer");
  runs.push(result);
  if (process.env.BENCH_GPU_CHILD) console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  report(result);
}
// The same pool with the device blocking its own thread, as onnxruntime's run() does (not in --pin's legs).
const timerLast = runs.at(-1)!;
if (process.env.BENCH_GPU_CHILD) process.exit(0);
const blocking = await run(timerLast.threads, `${JOB}_${timerLast.threads}_blocking`, "blocking");
report(blocking);
const ratio = blocking.rate / timerLast.rate;
console.log(
  `blocking vs timer sim, pool ${blocking.threads}: ${ratio.toFixed(2)}× photos/s (target ≥ 0.9×) ` +
    `${mark(ratio >= 0.9)}; event loop p99 ${blocking.p99.toFixed(0)} ms (target ≤ 50) ${mark(blocking.p99 <= 50)}; ` +
    `device busy ${(100 * blocking.busy).toFixed(1)} % blocking, ${(100 * timerLast.busy).toFixed(1)} % timer`,
);
await segmenters.blocking.close();
await services.close();
if (runs.length > 1) {
  const [first, last] = [runs[0]!, runs.at(-1)!];
  const scaling = last.rate / first.rate;
  console.log(
    `scaling ${first.threads} → ${last.threads} threads: ` +
      `${scaling.toFixed(2)}× (target ≥ 1.8× for 1 → 2) ${mark(scaling >= 1.8)}; ` +
      `the process got ${(last.cores / first.cores).toFixed(2)}× the CPU ` +
      `(${first.cores.toFixed(2)} → ${last.cores.toFixed(2)} cores), ` +
      `throughput per core-second ${(last.rate / last.cores / (first.rate / first.cores)).toFixed(2)}×`,
  );
}
console.log(`simulated GPU alone: ${(1000 / (simMs + conceptMs * CONCEPTS)).toFixed(1)} photos/s`);

// Real weights on CPU: PP-OCRv4 text detection as the Label_Text segmenter, the onnx path end to end.
if (ocrPhotos > 0) {
  const modelDir = await mkdtemp(join(os.tmpdir(), "bench-ppocr-"));
  const ocr = await createOnnxSegmenter({ modelDir: await writePpocrModelDir(modelDir), provider: "cpu" });
  const card = await productPhoto();
  const big = await sharp(card.data, { raw: { width: card.width, height: card.height, channels: 3 } })
    .resize(width, height, { fit: "fill" })
    .raw()
    .toBuffer();
  const image = { width, height, data: new Uint8Array(big) };
  const job = await ocr.forJob(["Label_Text"]);
  await job.segment(image); // warm
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const perPhoto: number[] = [];
  loop.enable();
  for (let i = 0; i < ocrPhotos; i++) {
    const started = performance.now();
    await job.segment(image);
    perPhoto.push(performance.now() - started);
  }
  loop.disable();
  const stats = ocr.stats;
  const per = (stage: { runs: number; ms: number }) => (stage.runs ? stage.ms / stage.runs : 0).toFixed(0);
  const mean = perPhoto.reduce((a, b) => a + b, 0) / perPhoto.length;
  console.log(
    `real weights (PP-OCRv4 det, onnx on CPU, ${width}×${height}, model input 640²): ` +
      `${mean.toFixed(0)} ms/photo (min ${Math.min(...perPhoto).toFixed(0)}); stages per run: ` +
      `resize+normalise ${per(stats.preprocess)} ms, graph ${per(stats.imageEncoder)} ms, ` +
      `regions+upsampling ${per(stats.postprocess)} ms; event loop p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms ` +
      `(max ${(loop.max / 1e6).toFixed(0)}) ${mark(loop.percentile(99) / 1e6 <= 50)}`,
  );
  await ocr.close();
  // The same graph run on the main thread, as before the segmenter thread: what the event loop would see.
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(join(modelDir, PPOCR_DETECTION_FILE));
  const input = new ort.Tensor("float32", new Float32Array(3 * 640 * 640), [1, 3, 640, 640]);
  await session.run({ x: input });
  const inline = monitorEventLoopDelay({ resolution: 10 });
  inline.enable();
  for (let i = 0; i < ocrPhotos; i++) {
    await session.run({ x: input });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the loop's turn between photos
  }
  inline.disable();
  await session.release();
  console.log(
    `the same graph run on the main thread instead: event loop p99 ${(inline.percentile(99) / 1e6).toFixed(0)} ms ` +
      `(max ${(inline.max / 1e6).toFixed(0)}): what the segmenter thread takes off the loop`,
  );
  await rm(modelDir, { recursive: true, force: true });
}
