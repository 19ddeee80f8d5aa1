import {
  createExecutionContext,
  createMessageBatch,
  env,
  evictDurableObject,
  getQueueResult,
  runInDurableObject,
  SELF,
} from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { QueueMessage } from "@s3/contract";
import { queueMessage } from "@s3/contract/testing";
import { BRIDGE_QUEUE, type QueueBridge } from "../../src/dispatch/bridge";
import { dispatchBatch } from "../../src/dispatch/consumer";

const bridgeEnv = env;
const bridges = env.QUEUE_BRIDGE!;

function freshBridge(): DurableObjectStub<QueueBridge> {
  // A bridge of its own per test: the name only has to be unique.
  return bridges.get(bridges.idFromName(`test-${crypto.randomUUID()}`));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("queue bridge (local pull consumer)", () => {
  it("delivers a message once while its lease holds, and again after the lease runs out", async () => {
    const bridge = freshBridge();
    await bridge.enqueue("m1", JSON.stringify(queueMessage({ job_id: "job_a" })));
    const first = await bridge.pull(10, 50);
    expect(first.messages.map((m) => m.id)).toEqual(["m1"]);
    expect(first.messages[0]!.attempts).toBe(1);
    expect((await bridge.pull(10, 50)).messages).toEqual([]);
    await sleep(80);
    const again = await bridge.pull(10, 60_000);
    expect(again.messages.map((m) => m.id)).toEqual(["m1"]);
    expect(again.messages[0]!.attempts).toBe(2);
    // The first lease is stale: acking it must not remove the message leased again.
    const staleAck = await bridge.ack([{ lease_id: first.messages[0]!.lease_id }], []);
    expect(staleAck.ackCount).toBe(0);
    expect((await bridge.stats()).leased).toBe(1);
  });

  it("an acked message is gone; a retried one comes back after its delay", async () => {
    const bridge = freshBridge();
    await bridge.enqueue("a", "{}");
    await bridge.enqueue("b", "{}");
    const pulled = await bridge.pull(10, 60_000);
    const lease = Object.fromEntries(pulled.messages.map((m) => [m.id, m.lease_id]));
    const result = await bridge.ack([{ lease_id: lease.a! }], [{ lease_id: lease.b!, delay_seconds: 0 }]);
    expect(result).toMatchObject({ ackCount: 1, retryCount: 1 });
    const next = await bridge.pull(10, 60_000);
    expect(next.messages.map((m) => m.id)).toEqual(["b"]);
  });

  it("honours the batch size, so a consumer takes only what it has capacity for", async () => {
    const bridge = freshBridge();
    for (const id of ["1", "2", "3"]) await bridge.enqueue(id, "{}");
    expect((await bridge.pull(0, 60_000)).messages).toHaveLength(0);
    const two = await bridge.pull(2, 60_000);
    expect(two.messages).toHaveLength(2);
    expect(two.message_backlog_count).toBe(1);
  });

  it("dead-letters a message after the retry budget instead of delivering it again", async () => {
    const bridge = freshBridge();
    await bridge.enqueue("poison", "{}");
    for (let attempt = 1; attempt <= 3; attempt++) {
      const pulled = await bridge.pull(1, 60_000, 3);
      expect(pulled.messages).toHaveLength(1);
      await bridge.ack([], [{ lease_id: pulled.messages[0]!.lease_id }]);
    }
    expect((await bridge.pull(1, 60_000, 3)).messages).toHaveLength(0);
    expect(await bridge.deadLetters()).toEqual([{ id: "poison", body: "{}", attempts: 3 }]);
  });

  it("enqueueing the same upstream message twice stores it once", async () => {
    const bridge = freshBridge();
    await bridge.enqueue("dup", "{}");
    await bridge.enqueue("dup", "{}");
    expect((await bridge.stats()).ready).toBe(1);
  });

  it("keeps its messages and leases when the object restarts", async () => {
    const bridge = freshBridge();
    await bridge.enqueue("kept", "{}");
    await bridge.enqueue("leased", "{}");
    await bridge.pull(1, 60_000);
    await evictDurableObject(bridge);
    expect(await bridge.stats()).toMatchObject({ ready: 1, leased: 1 });
    await runInDurableObject(bridge, (instance) => expect((instance as QueueBridge).stats().ready).toBe(1));
  });
});

describe("gpu-jobs consumer", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("GPU_DISPATCH=bridge moves each queue message into the bridge and acks it", async () => {
    const batch = createMessageBatch<QueueMessage>("gpu-jobs", [
      {
        id: `msg-${crypto.randomUUID()}`,
        timestamp: new Date(),
        attempts: 1,
        body: queueMessage({ job_id: "job_bridge" }),
      },
    ]);
    const ctx = createExecutionContext();
    await dispatchBatch(batch, { ...bridgeEnv, GPU_DISPATCH: "bridge" });
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    const shared = bridges.get(bridges.idFromName(BRIDGE_QUEUE));
    const pulled = await shared.pull(100, 60_000);
    const bodies = pulled.messages.map((m) => JSON.parse(m.body) as QueueMessage);
    expect(bodies.some((body) => body.job_id === "job_bridge")).toBe(true);
    await shared.ack(
      pulled.messages.map((m) => ({ lease_id: m.lease_id })),
      [],
    );
  });

  it(
    "GPU_DISPATCH=http posts each message to the GPU worker's " +
      "/jobs with the queue token, and acks it once accepted",
    async () => {
      const posted: { url: string; authorization: string | null; body: QueueMessage }[] = [];
      vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
        const request = new Request(input, init);
        posted.push({
          url: request.url,
          authorization: request.headers.get("authorization"),
          body: (await request.json()) as QueueMessage,
        });
        return Response.json({ accepted: true }, { status: 202 });
      });
      const batch = createMessageBatch<QueueMessage>("gpu-jobs", [
        { id: "msg-http-1", timestamp: new Date(), attempts: 1, body: queueMessage({ job_id: "job_http1" }) },
        { id: "msg-http-2", timestamp: new Date(), attempts: 1, body: queueMessage({ job_id: "job_http2" }) },
      ]);
      const ctx = createExecutionContext();
      const httpEnv = {
        ...bridgeEnv,
        GPU_DISPATCH: "http",
        GPU_HTTP_URL: "http://gpu.internal:8080/",
        QUEUE_TOKEN: "http-token-of-at-least-32-characters!!",
      };
      await dispatchBatch(batch, httpEnv);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks.sort()).toEqual(["msg-http-1", "msg-http-2"]);
      expect(posted.map((post) => [post.url, post.authorization, post.body.job_id])).toEqual([
        ["http://gpu.internal:8080/jobs", "Bearer http-token-of-at-least-32-characters!!", "job_http1"],
        ["http://gpu.internal:8080/jobs", "Bearer http-token-of-at-least-32-characters!!", "job_http2"],
      ]);
    },
  );

  it("GPU_DISPATCH=http retries a message the GPU worker did not accept", async () => {
    const batch = createMessageBatch<QueueMessage>("gpu-jobs", [
      { id: "msg-http", timestamp: new Date(), attempts: 1, body: queueMessage({ job_id: "job_http" }) },
    ]);
    const ctx = createExecutionContext();
    // Nothing listens on this loopback port, so the POST fails.
    const httpEnv = { ...bridgeEnv, GPU_DISPATCH: "http", GPU_HTTP_URL: "http://127.0.0.1:9" };
    await dispatchBatch(batch, httpEnv);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["msg-http"]);
    expect(result.explicitAcks).toEqual([]);
  });
});

describe("pull API over HTTP", () => {
  it("refuses a wrong token and serves pull/ack with the right one", async () => {
    const base = "http://example.com/bridge/queues/gpu-jobs/messages";
    const denied = await SELF.fetch(`${base}/pull`, {
      method: "POST",
      headers: { authorization: "Bearer wrong" },
      body: "{}",
    });
    expect(denied.status).toBe(403);
    const auth = { authorization: `Bearer ${bridgeEnv.QUEUE_TOKEN}`, "content-type": "application/json" };
    const pulled = await SELF.fetch(`${base}/pull`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ batch_size: 5, visibility_timeout_ms: 1000 }),
    });
    expect(pulled.status).toBe(200);
    const body = (await pulled.json()) as { success: boolean; result: { messages: unknown[] } };
    expect(body.success).toBe(true);
    expect(Array.isArray(body.result.messages)).toBe(true);
    const badAck = await SELF.fetch(`${base}/ack`, { method: "POST", headers: auth, body: "not json" });
    expect(badAck.status).toBe(400);
  });
});
