// `npm run bench:pipeline`: a 200-item pro job of generated 640×480 photos through the whole
// local stack (a Worker of its own on 127.0.0.1:8798 with a throw-away state folder, and a
// GPU worker process on the queue bridge), timed from execute to done:
//   1. the cpu segmenter: segmentation, application, encoding — the real pipeline;
//   2. BENCH_PASSTHROUGH=1, the GPU worker's benchmark hook: each input is copied to its
//      result and preview keys, so only the control plane is left (Worker, Durable Objects,
//      bridge, R2, callbacks). Target: ≥ 100 items/s, so a GPU at SAM 3's ~30 ms per image
//      never waits on it. Run at the message's default batch concurrency and wider ones.
//   npm run bench:pipeline -- --items 200 --concurrency 4,16,32
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { interiorScene } from "../gpu-worker/src/engine/scenes";
import { ApiClient, eachLimited, putPresigned, type RuleConcepts } from "./client";
import { API_HOST, ensureDevVars, startApi, startGpuWorker, stopAll, type Service } from "./dev";

const PORT = 8798;
/** Each GPU worker started gets the next port, so a stopping one never holds the new one's. */
let gpuHealthPort = 8800;
const RULE: { concepts: RuleConcepts; protect: string[] } = {
  concepts: { Floor: { action: "recolor", value: "oak_a" }, Wall: { action: "recolor", value: "sage_a" } },
  protect: ["Frame_Molding", "Grout"],
};
const TARGET_ITEMS_PER_SEC = 100;

interface Run {
  label: string;
  concurrency: number;
  seconds: number;
  itemsPerSec: number;
}

async function photos(count: number, width: number, height: number): Promise<Uint8Array[]> {
  // Eight distinct photos, cycled: every item is still decoded, segmented and edited on its own.
  const distinct = await Promise.all(
    Array.from({ length: 8 }, async (_, seed) => {
      const { image } = interiorScene(width, height, seed + 1);
      return new Uint8Array(await sharp(image.data, { raw: { width, height, channels: 3 } }).png().toBuffer());
    }),
  );
  return Array.from({ length: count }, (_, index) => distinct[index % distinct.length]!);
}

async function runJob(client: ApiClient, files: Uint8Array[], label: string, concurrency: number): Promise<Run> {
  const job = await client.createJob("interior", files.length);
  const uploadStarted = performance.now();
  await eachLimited(job.upload, 16, (slot) => putPresigned(slot.url, files[slot.idx]!));
  await client.confirmUpload(job.job_id);
  const uploadSec = (performance.now() - uploadStarted) / 1000;
  const started = performance.now();
  await client.execute(job.job_id, RULE.concepts, RULE.protect);
  // Polls are sparse: each GET /jobs presigns two URLs per finished item, load the benchmark would add itself.
  const done = await client.waitFor(job.job_id, { timeoutMs: 20 * 60_000, intervalMs: 1_000 });
  const seconds = (performance.now() - started) / 1000;
  if (done.status !== "done" || done.progress.done !== files.length) throw new Error(`${label}: job ended ${done.status} ${JSON.stringify(done.progress)}`);
  const run = { label, concurrency, seconds, itemsPerSec: files.length / seconds };
  console.log(`${label.padEnd(34)} concurrency ${String(concurrency).padStart(2)}: ${files.length} items in ${seconds.toFixed(2)} s = ${run.itemsPerSec.toFixed(1)} items/s (upload ${uploadSec.toFixed(1)} s)`);
  return run;
}

/** Requests/s wrangler dev serves here at all (GET /health, 16 at a time): the local ceiling. */
async function requestCeiling(apiUrl: string): Promise<number> {
  const count = 400;
  const started = performance.now();
  await eachLimited(Array.from({ length: count }), 16, async () => {
    const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
  });
  return count / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "200" },
      concurrency: { type: "string", default: "4,16,32" },
      // Other sizes tell the cost of moving bytes through the local R2 from the cost of the calls.
      size: { type: "string", default: "640x480" },
      "skip-pipeline": { type: "boolean", default: false },
    },
  });
  const [width, height] = values.size!.split("x").map(Number) as [number, number];
  const items = Number(values.items);
  const widths = values.concurrency!.split(",").map(Number);
  const persistTo = mkdtempSync(path.join(tmpdir(), "s3-bench-"));
  const apiUrl = `http://${API_HOST}:${PORT}`;
  const runs: Run[] = [];
  let gpu: Service | null = null;
  const startGpu = async (concurrency: number, passthrough: boolean) => {
    await gpu?.stop();
    gpu = await startGpuWorker({ apiUrl, port: gpuHealthPort++, quiet: true, name: "bench-gpu", env: { BATCH_CONCURRENCY: String(concurrency), LOG_LEVEL: "warn", ...(passthrough ? { BENCH_PASSTHROUGH: "1" } : {}) } });
  };
  try {
    console.log(`starting a Worker on ${apiUrl} (state in ${persistTo}) …`);
    // The message's batch_concurrency is the Worker's BATCH_CONCURRENCY var; the GPU worker caps it with its own.
    await startApi({ port: PORT, persistTo, quiet: !process.env.BENCH_VERBOSE, name: "bench-api", vars: { GPU_DISPATCH: "bridge", BATCH_CONCURRENCY: String(Math.max(...widths)) } });
    const ceiling = await requestCeiling(apiUrl);
    console.log(`wrangler dev here serves ${ceiling.toFixed(0)} GET /health per second (16 at a time); a pass-through item costs at least 4 requests (input GET, result and preview PUTs, callback), so ≤ ${(ceiling / 4).toFixed(0)} items/s`);
    const client = new ApiClient(apiUrl);
    const userId = await client.signInAnonymously();
    await client.setPlan(userId, "pro", ensureDevVars().ADMIN_SECRET!, items * (widths.length + 1) * 2);
    const files = await photos(items, width, height);
    console.log(`${items} generated ${width}×${height} PNG photos, ${(files.reduce((sum, file) => sum + file.length, 0) / items / 1024).toFixed(0)} KiB each on average`);

    if (!values["skip-pipeline"]) {
      await startGpu(widths[0]!, false);
      runs.push(await runJob(client, files, "cpu segmenter (whole pipeline)", widths[0]!));
    }
    for (const width of widths) {
      await startGpu(width, true);
      runs.push(await runJob(client, files, "pass-through (control plane)", width));
    }
  } finally {
    await stopAll();
    rmSync(persistTo, { recursive: true, force: true });
  }

  const pipeline = runs.find((run) => run.label.startsWith("cpu"));
  const best = runs.filter((run) => run !== pipeline).reduce((a, b) => (b.itemsPerSec > a.itemsPerSec ? b : a));
  console.log("");
  if (pipeline) console.log(`whole pipeline (cpu segmenter):  ${pipeline.itemsPerSec.toFixed(1)} items/s`);
  console.log(`control plane (pass-through):    ${best.itemsPerSec.toFixed(1)} items/s at batch concurrency ${best.concurrency} (target ≥ ${TARGET_ITEMS_PER_SEC}: ${best.itemsPerSec >= TARGET_ITEMS_PER_SEC ? "met" : "NOT met"})`);
  if (pipeline) console.log(`ratio control plane / pipeline:  ${(best.itemsPerSec / pipeline.itemsPerSec).toFixed(1)}×`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench:pipeline: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
