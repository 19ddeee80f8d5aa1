// `npm run bench:pipeline`: a 200-item pro job of generated 640×480 JPEG photos (q90, the
// inputs the .jpg keys of docs/storage.md expect) through the whole local stack (a Worker of its own with a
// throw-away state folder, and a GPU worker process on the queue bridge), timed from execute
// to done. The Worker runs on a Miniflare of its own (scripts/miniflare-server.ts, port 8797):
// `wrangler dev` puts a proxy workerd in front of the Worker that production does not have and
// that cuts the local request ceiling ~2.5×; the pass-through is then repeated under
// `wrangler dev` (port 8798) in the same run for the ratio (--skip-wrangler leaves it out).
//   1. the cpu segmenter: segmentation, application, encoding — the real pipeline;
//   2. pass-through: the GPU worker started from its benchmark entry (gpu-worker/bench/
//      pass-through-worker.ts), whose item stage copies each input to its result and preview
//      keys, so only the control plane is left (Worker, Durable Objects, bridge, R2, callbacks).
//      Target: ≥ 100 items/s, so a GPU at SAM 3's ~30 ms per image never waits on it. Run at
//      the message's default batch concurrency and wider ones.
//   npm run bench:pipeline -- --items 200 --concurrency 4,16,32
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { interiorScene } from "@s3/contract/scenes";
import {
  eachLimited,
  signInAnonymously,
  unwrap,
  uploadAlbum,
  waitForJob,
  type ApiClient,
  type RuleConcepts,
} from "@s3/client";
import { API_HOST, setPlan, startApi, startGpuWorker, stopAll, type Service } from "./stack";
import { startDirectApi, type DirectApi } from "./miniflare-server";

const DIRECT_PORT = 8797;
const WRANGLER_PORT = 8798;
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
  /** Execute to done. */
  itemsPerSec: number;
  /** From the first poll that saw a finished item to done: the rate without start-up. */
  steadyPerSec: number;
}

async function photos(count: number, width: number, height: number): Promise<Uint8Array[]> {
  // Eight distinct photos, cycled: every item is still decoded, segmented and edited on its own.
  const distinct = await Promise.all(
    Array.from({ length: 8 }, async (_, seed) => {
      const { image } = interiorScene(width, height, seed + 1);
      return new Uint8Array(
        await sharp(image.data, { raw: { width, height, channels: 3 } })
          .jpeg({ quality: 90 })
          .toBuffer(),
      );
    }),
  );
  return Array.from({ length: count }, (_, index) => distinct[index % distinct.length]!);
}

async function runJob(api: ApiClient, files: Uint8Array[], label: string, concurrency: number): Promise<Run> {
  const uploadStarted = performance.now();
  const photos = files.map((bytes) => ({ bytes, contentType: "image/jpeg" }));
  const job = await uploadAlbum(api, { preset: "interior", photos, concurrency: 16 });
  const uploadSec = (performance.now() - uploadStarted) / 1000;
  const started = performance.now();
  await unwrap(api.POST("/jobs/{id}/execute", { params: { path: { id: job.job_id } }, body: RULE }));
  // Polls are sparse: each GET /jobs presigns two URLs per finished item, load the benchmark would add itself.
  // The first poll that sees progress: what came before is start-up (the queue's batch wait,
  // the bridge pull); from there to done is the steady rate. Both ends are known to ±0.5 s.
  let first: { at: number; ended: number } | null = null;
  const done = await waitForJob(api, job.job_id, {
    transport: "poll",
    timeoutMs: 20 * 60_000,
    pollIntervalMs: 500,
    onProgress: (view) => {
      const ended = view.progress.done + view.progress.failed;
      if (!first && ended > 0) first = { at: performance.now(), ended };
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (done.status !== "done" || done.progress.done !== files.length)
    throw new Error(`${label}: job ended ${done.status} ${JSON.stringify(done.progress)}`);
  const ended = performance.now();
  const { at, ended: endedAtFirst } = first ?? { at: started, ended: 0 };
  const steadyPerSec =
    at < ended && endedAtFirst < files.length ? (files.length - endedAtFirst) / ((ended - at) / 1000) : Number.NaN;
  const run = { label, concurrency, seconds, itemsPerSec: files.length / seconds, steadyPerSec };
  console.log(
    `${label.padEnd(32)} concurrency ${String(concurrency).padStart(2)}: ` +
      `${files.length} items in ${seconds.toFixed(2)} s = ${run.itemsPerSec.toFixed(1)} items/s` +
      ` (first report seen after ${((at - started) / 1000).toFixed(1)} s, ` +
      `then ${steadyPerSec.toFixed(0)} items/s; upload ${uploadSec.toFixed(1)} s)`,
  );
  return run;
}

/** Requests/s a local Worker serves here at all (GET /health, 16 at a time): the local ceiling. */
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
      "skip-wrangler": { type: "boolean", default: false },
    },
  });
  const [width, height] = values.size!.split("x").map(Number) as [number, number];
  const items = Number(values.items);
  const widths = values.concurrency!.split(",").map(Number);
  const runs: Run[] = [];
  const ceilings: Record<string, number> = {};
  let gpu: Service | null = null;
  /** Direct servers started and not yet stopped (stopAll knows only child processes). */
  const directServers = new Set<DirectApi>();
  const folders: string[] = [];
  const stateFolder = () => {
    folders.push(mkdtempSync(path.join(tmpdir(), "s3-bench-")));
    return folders.at(-1)!;
  };
  const stopGpu = async () => {
    await gpu?.stop();
  };
  const startGpu = async (apiUrl: string, concurrency: number, passthrough: boolean) => {
    await stopGpu();
    gpu = await startGpuWorker({
      apiUrl,
      port: gpuHealthPort++,
      quiet: true,
      name: "bench-gpu",
      env: {
        BATCH_CONCURRENCY: String(concurrency),
        LOG_LEVEL: "warn",
      },
      ...(passthrough ? { entry: "bench/pass-through-worker.ts" } : {}),
    });
  };
  // The message's batch_concurrency is the Worker's BATCH_CONCURRENCY var; the GPU worker caps it with its own.
  const vars = { GPU_DISPATCH: "bridge", BATCH_CONCURRENCY: String(Math.max(...widths)) };
  /** A pro user with credits for every run on the Worker at `apiUrl`, and its ceiling. */
  const prepare = async (apiUrl: string, server: string): Promise<ApiClient> => {
    ceilings[server] = await requestCeiling(apiUrl);
    console.log(
      `${server} serves ${ceilings[server]!.toFixed(0)} GET /health per second (16 at a time); ` +
        "a pass-through item costs at least 4 requests (input GET, result and preview PUTs, callback), " +
        `so ≤ ${(ceilings[server]! / 4).toFixed(0)} items/s`,
    );
    const { api, user_id: userId } = await signInAnonymously({ baseUrl: apiUrl });
    await setPlan(apiUrl, userId, "pro", items * (widths.length + 1) * 2);
    return api;
  };
  try {
    const files = await photos(items, width, height);
    const payload = files.reduce((sum, file) => sum + file.length, 0) / items;
    console.log(
      `${items} generated ${width}×${height} JPEG photos (q90), ` +
        `${(payload / 1024).toFixed(0)} KiB each on average; a pass-through item moves ` +
        `${((payload * 3) / 1024).toFixed(0)} KiB through the local R2 (input GET, result and preview PUTs)`,
    );

    const persistTo = stateFolder();
    console.log(`starting the Worker on Miniflare at http://${API_HOST}:${DIRECT_PORT} (state in ${persistTo}) …`);
    const direct = await startDirectApi({ port: DIRECT_PORT, persistTo, vars });
    directServers.add(direct);
    const client = await prepare(direct.url, "Miniflare (direct)");
    if (!values["skip-pipeline"]) {
      await startGpu(direct.url, widths[0]!, false);
      runs.push(await runJob(client, files, "cpu segmenter (whole pipeline)", widths[0]!));
    }
    for (const width of widths) {
      await startGpu(direct.url, width, true);
      runs.push(await runJob(client, files, "pass-through (control plane)", width));
    }
    await stopGpu();
    directServers.delete(direct);
    await direct.stop();

    if (!values["skip-wrangler"]) {
      // The same pass-through behind wrangler dev's proxy, at the widest concurrency only.
      const apiUrl = `http://${API_HOST}:${WRANGLER_PORT}`;
      const wranglerState = stateFolder();
      console.log(`starting the Worker under wrangler dev at ${apiUrl} (state in ${wranglerState}) …`);
      await startApi({
        port: WRANGLER_PORT,
        persistTo: wranglerState,
        quiet: !process.env.BENCH_VERBOSE,
        name: "bench-api",
        vars,
      });
      const wranglerClient = await prepare(apiUrl, "wrangler dev");
      const widest = Math.max(...widths);
      await startGpu(apiUrl, widest, true);
      runs.push(await runJob(wranglerClient, files, "pass-through under wrangler dev", widest));
    }
  } finally {
    for (const direct of directServers) await direct.stop();
    await stopAll();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }

  const pipeline = runs.find((run) => run.label.startsWith("cpu"));
  const underWrangler = runs.find((run) => run.label.includes("wrangler"));
  const best = runs
    .filter((run) => run.label.startsWith("pass-through ("))
    .reduce((a, b) => (b.itemsPerSec > a.itemsPerSec ? b : a));
  console.log("");
  for (const [server, ceiling] of Object.entries(ceilings))
    console.log(`GET /health ceiling, ${server.padEnd(19)} ${ceiling.toFixed(0)} req/s`);
  if (pipeline) console.log(`whole pipeline (cpu segmenter):  ${pipeline.itemsPerSec.toFixed(1)} items/s`);
  console.log(
    `control plane (pass-through):    ${best.itemsPerSec.toFixed(1)} items/s at batch concurrency ` +
      `${best.concurrency} on Miniflare, ${best.steadyPerSec.toFixed(0)} items/s after start-up ` +
      `(target ≥ ${TARGET_ITEMS_PER_SEC}: ${best.itemsPerSec >= TARGET_ITEMS_PER_SEC ? "met" : "NOT met"})`,
  );
  if (underWrangler) {
    const same =
      runs.find((run) => run.label.startsWith("pass-through (") && run.concurrency === underWrangler.concurrency) ??
      best;
    console.log(
      `  under wrangler dev:            ${underWrangler.itemsPerSec.toFixed(1)} items/s ` +
        `at batch concurrency ${underWrangler.concurrency} (Miniflare / wrangler dev at the same concurrency: ` +
        `${(same.itemsPerSec / underWrangler.itemsPerSec).toFixed(1)}×)`,
    );
  }
  if (pipeline)
    console.log(`ratio control plane / pipeline:  ${(best.itemsPerSec / pipeline.itemsPerSec).toFixed(1)}×`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench:pipeline: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
