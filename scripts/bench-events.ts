// `npm run bench:events` (docs/events.md): 200 WebSockets on one 200-item job. Drives the GPU callbacks
// at a steady rate with the callback secret of worker/.dev.vars, checks that every socket receives
// every event in order, prints callback-to-socket latency p50/p99, then times polls of GET /jobs/{id}
// for the finished 200-item job with and without If-None-Match (target: a 304 costs ≤ 1/10 of a full poll).
// Starts its own local API (as `npm run dev` does) on BENCH_EVENTS_PORT (default 8797) with its own state
// folder, so a dev server on 8787 is neither needed nor measured. BENCH_EVENTS_DIRECT=1 runs the Worker
// on a Miniflare of its own instead of under `wrangler dev`, without its proxy (scripts/miniflare-server.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { signInAnonymously, unwrap, uploadAlbum, type JobEvent } from "@s3/client";
import { storageKeys } from "@s3/contract";
import { startDirectApi } from "./miniflare-server";
import { API_HOST, devSecret, setPlan, startApi, stopAll } from "./stack";

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 200);
const ITEMS = 200;
const CALLBACKS_PER_SEC = Number(process.env.BENCH_CALLBACKS_PER_SEC ?? 40);
const POLLS = Number(process.env.BENCH_POLLS ?? 100);
const TARGET_304_RATIO = 0.1;
const PORT = Number(process.env.BENCH_EVENTS_PORT ?? 8797);
const API_URL = `http://${API_HOST}:${PORT}`;
const DIRECT = process.env.BENCH_EVENTS_DIRECT === "1";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 200-item job of a pro user, uploaded through its presigned URLs and executed. */
async function queuedJob(): Promise<{ userId: string; token: string; jobId: string }> {
  const { api, user_id: userId, token } = await signInAnonymously({ baseUrl: API_URL });
  await setPlan(API_URL, userId, "pro", ITEMS);
  const photos = Array.from({ length: ITEMS }, () => ({ bytes: new Uint8Array(64).fill(7) }));
  const job = await uploadAlbum(api, { preset: "interior", photos, concurrency: 20 });
  await unwrap(
    api.POST("/jobs/{id}/execute", {
      params: { path: { id: job.job_id } },
      body: { concepts: { Floor: { action: "recolor", value: "oak_a" } } },
    }),
  );
  return { userId, token, jobId: job.job_id };
}

interface Socket {
  events: JobEvent[];
  /** When each item's progress event arrived (performance.now()). */
  arrivals: Map<number, number>;
  closed: Promise<void>;
}

function openSocket(jobId: string, token: string): Promise<Socket> {
  const url = `${API_URL.replace(/^http/, "ws")}/jobs/${jobId}/events`;
  const socket = new WebSocket(url, ["s3.v1", `bearer.${token}`]);
  const events: JobEvent[] = [];
  const arrivals = new Map<number, number>();
  const closed = new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(String(message.data)) as JobEvent;
    if (event.type === "progress" && event.item) arrivals.set(event.item.idx, performance.now());
    events.push(event);
  });
  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve({ events, arrivals, closed }));
    socket.addEventListener("error", () => reject(new Error("socket failed to open")));
  });
}

async function timePolls(url: string, headers: Record<string, string>, expected: number): Promise<number[]> {
  const times: number[] = [];
  for (let n = 0; n < POLLS; n++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (response.status !== expected) throw new Error(`poll answered ${response.status}, expected ${expected}`);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  process.stdout.write(`bench: starting the local API on ${API_URL}…\n`);
  const state = mkdtempSync(path.join(tmpdir(), "s3-bench-events-"));
  const direct = DIRECT ? await startDirectApi({ port: PORT, persistTo: state }) : null;
  if (!direct) await startApi({ port: PORT, persistTo: state, quiet: true, name: "bench-api" });
  try {
    const { userId, token, jobId } = await queuedJob();
    const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => openSocket(jobId, token)));
    while (sockets.some((socket) => socket.events.length === 0)) await sleep(10);

    const gpuSecret = devSecret("GPU_CALLBACK_SECRET");
    const sentAt = new Map<number, number>();
    const interval = 1000 / CALLBACKS_PER_SEC;
    const started = performance.now();
    const posts: Promise<void>[] = [];
    for (let idx = 0; idx < ITEMS; idx++) {
      const due = started + idx * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sentAt.set(idx, performance.now());
      posts.push(
        fetch(`${API_URL}/jobs/${jobId}/callback`, {
          method: "POST",
          headers: { Authorization: `Bearer ${gpuSecret}`, "Content-Type": "application/json" },
          body: JSON.stringify({
            idx,
            status: "done",
            output_key: storageKeys.output(userId, jobId, idx),
            preview_key: storageKeys.preview(userId, jobId, idx),
          }),
        }).then(async (response) => {
          if (!response.ok) throw new Error(`callback ${idx}: ${response.status} ${await response.text()}`);
        }),
      );
    }
    await Promise.all(posts);
    const drained = await Promise.race([
      Promise.all(sockets.map((socket) => socket.closed)).then(() => true),
      sleep(30_000).then(() => false),
    ]);
    const elapsedSec = (performance.now() - started) / 1000;

    const complete = sockets.filter(
      (socket) =>
        socket.events.length === ITEMS + 2 &&
        socket.events[0]!.type === "snapshot" &&
        socket.events.at(-1)!.type === "end" &&
        socket.arrivals.size === ITEMS,
    ).length;
    const latencies = sockets
      .flatMap((socket) => [...socket.arrivals].map(([idx, at]) => at - sentAt.get(idx)!))
      .sort((a, b) => a - b);

    const url = `${API_URL}/jobs/${jobId}`;
    const auth = { Authorization: `Bearer ${token}` };
    const warm = await fetch(url, { headers: auth });
    const etag = warm.headers.get("ETag");
    await warm.arrayBuffer();
    if (!etag) throw new Error("GET /jobs/{id} sent no ETag");
    const full = await timePolls(url, auth, 200);
    const conditional = await timePolls(url, { ...auth, "If-None-Match": etag }, 304);
    const floor = await timePolls(`${API_URL}/health`, {}, 200);
    const mean = (times: number[]) => times.reduce((sum, time) => sum + time, 0) / times.length;
    const ratio = mean(conditional) / mean(full);
    // Judged on medians: on a shared machine a few polls stall behind other processes and swing the means.
    const medianRatio = percentile(conditional, 50) / percentile(full, 50);

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    process.stdout.write(
      [
        ``,
        `bench:events against ${API_URL}, ${DIRECT ? "a Miniflare of its own" : "wrangler dev"} ` +
          "(Miniflare: the Worker and its Durable Objects on one thread)",
        `${SOCKETS} WebSockets on one ${ITEMS}-item job, callbacks at ${CALLBACKS_PER_SEC}/s, ` +
          `all closed: ${drained}, ${elapsedSec.toFixed(1)} s`,
        `sockets that received snapshot + ${ITEMS} progress + end: ${complete}/${SOCKETS}`,
        `callback-to-socket latency over ${latencies.length} deliveries: p50 ${ms(percentile(latencies, 50))}, ` +
          `p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? 0)}`,
        `GET /jobs/{id}, ${ITEMS} items done, ${POLLS} sequential polls each (client-side request time):`,
        `  full 200 (400 presigned URLs): mean ${ms(mean(full))}, ` +
          `p50 ${ms(percentile(full, 50))}, p99 ${ms(percentile(full, 99))}`,
        `  304 with If-None-Match:        mean ${ms(mean(conditional))}, ` +
          `p50 ${ms(percentile(conditional, 50))}, p99 ${ms(percentile(conditional, 99))}`,
        `  GET /health (the floor of any request here): mean ${ms(mean(floor))}, p50 ${ms(percentile(floor, 50))}`,
        `  above that floor: full ${ms(mean(full) - mean(floor))}, 304 ${ms(mean(conditional) - mean(floor))}`,
        `  304 / full: ${medianRatio.toFixed(3)} by median, ${ratio.toFixed(3)} by mean ` +
          `(target ≤ ${TARGET_304_RATIO}, judged by median): ${medianRatio <= TARGET_304_RATIO ? "met" : "NOT met"}`,
        ``,
      ].join("\n"),
    );
    if (complete !== SOCKETS) process.exitCode = 1;
  } finally {
    await direct?.stop();
    await stopAll();
    rmSync(state, { recursive: true, force: true });
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
