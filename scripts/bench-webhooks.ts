// `npm run bench:webhooks` (docs/webhooks.md): one 200-item job with a webhook for every item and the end,
// a receiver on loopback that verifies each delivery with the standardwebhooks library and fails half of
// the first attempts with 500. Prints callback-to-delivery latency (p50/p99) for first attempts and for
// all events, and checks that every event is delivered, each webhook-id accepted exactly once.
// Starts its own local API under `wrangler dev` (as `npm run dev` does) on BENCH_WEBHOOKS_PORT (default
// 8799), its own state folder, and WEBHOOK_BACKOFF_SCALE=0.001 so that a retry comes after 5 ms, not 5 s.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { signInAnonymously, unwrap, uploadAlbum } from "@s3/client";
import { storageKeys } from "@s3/contract";
import { API_HOST, devSecret, setPlan, startApi, stopAll } from "./stack";

const ITEMS = 200;
const CALLBACKS_PER_SEC = Number(process.env.BENCH_CALLBACKS_PER_SEC ?? 40);
const FIRST_ATTEMPT_FAILURES = 0.5;
const PORT = Number(process.env.BENCH_WEBHOOKS_PORT ?? 8799);
const API_URL = `http://${API_HOST}:${PORT}`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Delivery {
  type: string;
  idx: number | null;
  attempts: number;
  accepted: number;
  firstAt: number;
  acceptedAt: number | null;
  failedFirst: boolean;
}

/** A receiver that verifies every delivery and fails half of the first attempts. */
async function receiver(signingSecret: () => string) {
  const deliveries = new Map<string, Delivery>();
  let unverified = 0;
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
  const server = createServer(async (request, response) => {
    const at = performance.now();
    const body = await read(request);
    let event: { type: string; data: { item?: { idx: number } } };
    try {
      event = new Webhook(signingSecret()).verify(body, request.headers as Record<string, string>) as typeof event;
    } catch {
      unverified++;
      response.writeHead(400).end();
      return;
    }
    const id = String(request.headers["webhook-id"]);
    let delivery = deliveries.get(id);
    if (!delivery) {
      delivery = {
        type: event.type,
        idx: event.data.item?.idx ?? null,
        attempts: 0,
        accepted: 0,
        firstAt: at,
        acceptedAt: null,
        failedFirst: Math.random() < FIRST_ATTEMPT_FAILURES,
      };
      deliveries.set(id, delivery);
    }
    delivery.attempts++;
    if (delivery.attempts === 1 && delivery.failedFirst) {
      response.writeHead(500).end();
      return;
    }
    delivery.accepted++;
    delivery.acceptedAt ??= at;
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, API_HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${API_HOST}:${port}/hooks`, deliveries, unverified: () => unverified, server };
}

async function main(): Promise<void> {
  process.stdout.write(`bench: starting the local API on ${API_URL}…\n`);
  const state = mkdtempSync(path.join(tmpdir(), "s3-bench-webhooks-"));
  await startApi({
    port: PORT,
    persistTo: state,
    quiet: true,
    name: "bench-api",
    vars: { WEBHOOK_BACKOFF_SCALE: "0.001", WEBHOOK_ALLOW_LOOPBACK: "true" },
  });
  let signingSecret = "";
  const hook = await receiver(() => signingSecret);
  try {
    const { api, ...user } = await signInAnonymously({ baseUrl: API_URL });
    await setPlan(API_URL, user.user_id, "pro", ITEMS);
    signingSecret = (await unwrap(api.GET("/me/webhook-secret"))).secret;
    const photos = Array.from({ length: ITEMS }, () => ({ bytes: new Uint8Array(64).fill(7) }));
    const job = await uploadAlbum(api, { preset: "interior", photos, concurrency: 20 });
    await unwrap(
      api.POST("/jobs/{id}/execute", {
        params: { path: { id: job.job_id } },
        body: {
          concepts: { Floor: { action: "recolor", value: "oak_a" } },
          webhook: { url: hook.url, events: ["item", "end"] },
        },
      }),
    );

    const gpuSecret = devSecret("GPU_CALLBACK_SECRET");
    const sentAt = new Map<number, number>();
    const started = performance.now();
    const posts: Promise<void>[] = [];
    for (let idx = 0; idx < ITEMS; idx++) {
      const wait = started + (idx * 1000) / CALLBACKS_PER_SEC - performance.now();
      if (wait > 0) await sleep(wait);
      sentAt.set(idx, performance.now());
      posts.push(
        fetch(`${API_URL}/jobs/${job.job_id}/callback`, {
          method: "POST",
          headers: { Authorization: `Bearer ${gpuSecret}`, "Content-Type": "application/json" },
          body: JSON.stringify({
            idx,
            status: "done",
            output_key: storageKeys.output(user.user_id, job.job_id, idx),
            preview_key: storageKeys.preview(user.user_id, job.job_id, idx),
          }),
        }).then(async (response) => {
          if (!response.ok) throw new Error(`callback ${idx}: ${response.status} ${await response.text()}`);
        }),
      );
    }
    await Promise.all(posts);
    const lastCallbackAt = performance.now();
    const expected = ITEMS + 1;
    const deadline = Date.now() + 120_000;
    const accepted = () => [...hook.deliveries.values()].filter((delivery) => delivery.accepted > 0).length;
    while (accepted() < expected && Date.now() < deadline) await sleep(50);
    // A duplicate would arrive after the first acceptance: give the queue a moment to show one.
    await sleep(3_000);

    const all = [...hook.deliveries.values()];
    const items = all.filter((delivery) => delivery.type === "job.item");
    const ends = all.filter((delivery) => delivery.type === "job.end");
    const idxs = new Set(items.map((delivery) => delivery.idx));
    const exactlyOnce = all.every((delivery) => delivery.accepted === 1);
    const retried = all.filter((delivery) => delivery.failedFirst);
    const firstLatency = items
      .filter((delivery) => !delivery.failedFirst)
      .map((delivery) => delivery.firstAt - sentAt.get(delivery.idx!)!)
      .sort((a, b) => a - b);
    const allLatency = items
      .filter((delivery) => delivery.acceptedAt !== null)
      .map((delivery) => delivery.acceptedAt! - sentAt.get(delivery.idx!)!)
      .sort((a, b) => a - b);
    const retriedLatency = items
      .filter((delivery) => delivery.failedFirst && delivery.acceptedAt !== null)
      .map((delivery) => delivery.acceptedAt! - sentAt.get(delivery.idx!)!)
      .sort((a, b) => a - b);
    const endAccepted = ends[0]?.acceptedAt;
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const ok = idxs.size === ITEMS && ends.length === 1 && exactlyOnce && hook.unverified() === 0;
    process.stdout.write(
      [
        ``,
        `bench:webhooks against ${API_URL} (wrangler dev, the webhooks queue and its consumer under Miniflare)`,
        `one ${ITEMS}-item job, callbacks at ${CALLBACKS_PER_SEC}/s, receiver on loopback failing ` +
          `${FIRST_ATTEMPT_FAILURES * 100} % of first attempts (${retried.length} of ${all.length} events)`,
        `events accepted: ${accepted()}/${expected} ` +
          `(job.item for ${idxs.size}/${ITEMS} items, job.end ${ends.length}); ` +
          `every webhook-id accepted exactly once: ${exactlyOnce}; signatures that failed to verify: ` +
          `${hook.unverified()}`,
        `attempts: ${all.reduce((sum, delivery) => sum + delivery.attempts, 0)} for ${all.length} events`,
        `callback-to-delivery latency, first attempts (${firstLatency.length}): ` +
          `p50 ${ms(percentile(firstLatency, 50))}, p99 ${ms(percentile(firstLatency, 99))}`,
        `callback-to-accepted latency, events retried once (${retriedLatency.length}): ` +
          `p50 ${ms(percentile(retriedLatency, 50))}, p99 ${ms(percentile(retriedLatency, 99))}`,
        `callback-to-accepted latency, all job.item (${allLatency.length}): ` +
          `p50 ${ms(percentile(allLatency, 50))}, p99 ${ms(percentile(allLatency, 99))}`,
        `job.end accepted ${endAccepted == null ? "never" : ms(endAccepted - lastCallbackAt)} after the last callback`,
        ok ? "result: every event delivered, each exactly once" : "result: FAILED",
        ``,
      ].join("\n"),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    hook.server.close();
    await stopAll();
    rmSync(state, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
  void stopAll();
});
