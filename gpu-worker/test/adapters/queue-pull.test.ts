import { afterEach, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { createQueuePullAdapter } from "../../src/adapters/queue-pull";
import { queueMessage } from "@s3/contract/testing";
import { fakePipeline } from "../helpers/fakes";

const TOKEN = "queue-token";

/** Cloudflare Queues' pull-consumer API for one queue, in memory. */
async function startFakeQueue() {
  const waiting: { id: string; body: unknown }[] = [];
  const pulls: { batch_size: number; visibility_timeout_ms: number }[] = [];
  const acks: string[] = [];
  const retries: string[] = [];
  let unauthorized = 0;
  let leases = 0;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      unauthorized++;
      response.writeHead(401).end(JSON.stringify({ success: false }));
      return;
    }
    if (request.url === "/accounts/acc/queues/q1/messages/pull") {
      pulls.push(body);
      const messages = waiting.splice(0, body.batch_size).map((m) => ({
        ...m,
        lease_id: `lease-${m.id}-${++leases}`,
        attempts: 1,
        timestamp_ms: Date.now(),
        metadata: {},
      }));
      response.writeHead(200).end(
        JSON.stringify({
          success: true,
          errors: [],
          messages: [],
          result: { message_backlog_count: waiting.length, messages },
        }),
      );
    } else if (request.url === "/accounts/acc/queues/q1/messages/ack") {
      acks.push(...body.acks.map((a: { lease_id: string }) => a.lease_id));
      retries.push(...body.retries.map((r: { lease_id: string }) => r.lease_id));
      response
        .writeHead(200)
        .end(
          JSON.stringify({ success: true, result: { ackCount: body.acks.length, retryCount: body.retries.length } }),
        );
    } else response.writeHead(404).end(JSON.stringify({ success: false }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/accounts/acc/queues/q1`,
    send: (id: string, body: unknown) => waiting.push({ id, body }),
    pulls,
    acks,
    retries,
    get unauthorized() {
      return unauthorized;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup) await step();
  cleanup = [];
});

async function setup(capacity = 2) {
  const queue = await startFakeQueue();
  const pipeline = fakePipeline();
  const adapter = createQueuePullAdapter({
    pipeline,
    endpoint: queue.endpoint,
    token: TOKEN,
    capacity,
    batchSize: 10,
    visibilityTimeoutMs: 60_000,
    pollIntervalMs: 10,
    retryDelaySeconds: 5,
    logger: pino({ level: "silent" }),
  });
  await adapter.start();
  cleanup.push(
    () => adapter.stop(50),
    () => queue.close(),
  );
  return { queue, pipeline, adapter };
}

async function until(condition: () => boolean) {
  for (let i = 0; i < 400 && !condition(); i++) await sleep(5);
  expect(condition()).toBe(true);
}

describe("queue_pull adapter", () => {
  it("runs a pulled message (JSON string body) and acks it once the job is reported", async () => {
    const { queue, pipeline } = await setup();
    queue.send("m1", JSON.stringify(queueMessage({ job_id: "job_q1" })));
    await until(() => pipeline.started.length === 1);
    expect(pipeline.started[0]!.job_id).toBe("job_q1");
    expect(queue.acks).toEqual([]);
    pipeline.finish(true);
    await until(() => queue.acks.length === 1);
    expect(queue.acks[0]).toMatch(/^lease-m1-/);
    expect(queue.retries).toEqual([]);
    expect(queue.unauthorized).toBe(0);
    expect(queue.pulls[0]).toMatchObject({ visibility_timeout_ms: 60_000 });
  });

  it("retries the message when the job could not report every item", async () => {
    const { queue, pipeline } = await setup();
    queue.send("m2", queueMessage({ job_id: "job_q2" }));
    await until(() => pipeline.started.length === 1);
    pipeline.finish(false);
    await until(() => queue.retries.length === 1);
    expect(queue.acks).toEqual([]);
  });

  it("retries a body that is not a queue message without running anything", async () => {
    const { queue, pipeline } = await setup();
    queue.send("m3", JSON.stringify({ hello: "world" }));
    await until(() => queue.retries.length === 1);
    expect(pipeline.started).toEqual([]);
  });

  it("pulls only while it has free capacity, asking for as many messages as free slots", async () => {
    const { queue, pipeline } = await setup(2);
    for (const n of [1, 2, 3]) queue.send(`c${n}`, queueMessage({ job_id: `job_c${n}` }));
    await until(() => pipeline.started.length === 2);
    expect(queue.pulls[0]!.batch_size).toBe(2);
    const pullsWhenFull = queue.pulls.length;
    await sleep(100); // ten poll intervals
    expect(queue.pulls.length).toBe(pullsWhenFull);
    pipeline.finish(true);
    await until(() => pipeline.started.length === 3);
    expect(queue.pulls.at(-1)!.batch_size).toBe(1);
  });
});
