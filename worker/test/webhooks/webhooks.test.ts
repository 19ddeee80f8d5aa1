// Webhooks (docs/webhooks.md): execute's `webhook`, one signed Standard Webhooks delivery per event through
// the webhooks queue, retries on the backoff, 410, the dead-letter queue, rotation, the delivery list and
// replay. The receiver is a fetch mock; the consumer is called with message batches, as the queue would.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Webhook } from "standardwebhooks";
import { storageKeys, WEBHOOK_BACKOFF_SEC, type WebhookTask } from "@s3/contract";
import worker from "../../src/index";
import { jobCoordinator, userLimiter } from "../../src/lib/durable";
import type { JobCoordinator } from "../../src/durable-objects/job-coordinator";
import { UserLimiter } from "../../src/durable-objects/user-limiter";
import { call, expectError, expectOk, FLOOR_OAK, newUser, uploadedJob, type TestUser } from "../routes/helpers";

const RECEIVER = "http://127.0.0.1:9/hooks";

interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  redirect: string | undefined;
}

let tasks: { task: WebhookTask; delaySeconds: number }[];
let received: Received[];
/** What the receiver answers next: a status, or "timeout" (no answer within 15 s). */
let answers: (number | "timeout")[];

beforeEach(() => {
  tasks = [];
  received = [];
  answers = [];
  // The webhooks queue, captured: the tests hand its messages to the consumer themselves.
  const prototype = Object.getPrototypeOf(env.WEBHOOKS) as Queue<unknown>;
  const { send, sendBatch } = prototype;
  vi.spyOn(prototype, "send").mockImplementation(function (this: Queue<unknown>, body, options) {
    if ((body as Partial<WebhookTask>).webhook_id === undefined) return send.call(this, body, options);
    tasks.push({ task: body as WebhookTask, delaySeconds: options?.delaySeconds ?? 0 });
    return Promise.resolve({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } } as never);
  });
  vi.spyOn(prototype, "sendBatch").mockImplementation(function (this: Queue<unknown>, messages, options) {
    const list = [...messages];
    if ((list[0]?.body as Partial<WebhookTask>)?.webhook_id === undefined) return sendBatch.call(this, list, options);
    for (const message of list) tasks.push({ task: message.body as WebhookTask, delaySeconds: 0 });
    return Promise.resolve({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } } as never);
  });
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith("http://127.0.0.1:9/")) return realFetch(input, init);
    received.push({
      url,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: String(init?.body),
      redirect: init?.redirect,
    });
    const answer = answers.shift() ?? 200;
    if (answer === "timeout") throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    return new Response(null, { status: answer, headers: answer === 302 ? { Location: "http://10.0.0.1/" } : {} });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Takes the tasks queued so far and runs them through the consumer, as one batch. */
async function consume(queue = "webhooks") {
  const batch = createMessageBatch<WebhookTask>(
    queue,
    tasks
      .splice(0)
      .map(({ task }, n) => ({ id: `m${n}-${task.webhook_id}`, timestamp: new Date(), attempts: 1, body: task })),
  );
  await worker.queue(batch, env);
  return getQueueResult(batch, createExecutionContext());
}

function report(user: TestUser, jobId: string, idx: number, status: "done" | "failed") {
  return call("POST", `/jobs/${jobId}/callback`, {
    token: env.GPU_CALLBACK_SECRET,
    json:
      status === "done"
        ? {
            idx,
            status,
            output_key: storageKeys.output(user.user_id, jobId, idx),
            preview_key: storageKeys.preview(user.user_id, jobId, idx),
            error: null,
            idempotency_key: `${jobId}:${idx}:attempt1`,
          }
        : { idx, status, error: "gave up", error_code: "SEGMENT_FAILED", idempotency_key: `${jobId}:${idx}:attempt1` },
  });
}

async function executedWithWebhook(items: number, webhook: Record<string, unknown> = { url: RECEIVER }) {
  const user = await newUser();
  const job = await uploadedJob(user, items);
  expectOk(
    await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK, webhook } }),
  );
  return { user, jobId: job.job_id };
}

const deliveries = async (user: TestUser, jobId: string) =>
  expectOk(await call("GET", `/jobs/${jobId}/webhooks`, { token: user.token })).deliveries;
const secretOf = async (user: TestUser) =>
  expectOk(await call("GET", "/me/webhook-secret", { token: user.token })).secret as string;

/** The clock moves past every scheduled retry. */
async function timePasses(jobId: string) {
  await runInDurableObject(jobCoordinator(env, jobId) as unknown as DurableObjectStub<JobCoordinator>, (_, state) => {
    state.storage.sql.exec("UPDATE webhook_deliveries SET next_attempt_ms = 0 WHERE next_attempt_ms IS NOT NULL");
  });
}

describe("deliveries", () => {
  it("each item and the end arrive once, signed so that the standardwebhooks verifier accepts them", async () => {
    const { user, jobId } = await executedWithWebhook(2, { url: RECEIVER, events: ["item", "end"] });
    expectOk(await report(user, jobId, 0, "done"));
    expectOk(await report(user, jobId, 1, "failed"));
    await vi.waitFor(() => expect(tasks).toHaveLength(3));
    // A repeated callback is no new event.
    expectOk(await report(user, jobId, 1, "failed"));
    expect((await consume()).explicitAcks).toHaveLength(3);

    const verifier = new Webhook(await secretOf(user));
    const bodies = received.map(({ body, headers }) => verifier.verify(body, headers)) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    }[];
    expect(bodies.map((body) => body.type)).toEqual(["job.item", "job.item", "job.end"]);
    expect(bodies[0]!.data).toMatchObject({
      job_id: jobId,
      preset: "interior",
      item: { idx: 0, status: "done" },
      items: [
        { idx: 0, status: "done", error: null },
        { idx: 1, status: "pending", error: null },
      ],
    });
    expect(bodies[2]!.data).toMatchObject({
      job_id: jobId,
      status: "done",
      progress: { done: 1, failed: 1, total: 2 },
    });
    expect(JSON.stringify(bodies)).not.toMatch(/https?:\/\/127\.0\.0\.1:8787/);
    for (const { url, headers, redirect } of received) {
      expect(url).toBe(RECEIVER);
      expect(headers["content-type"]).toBe("application/json");
      expect(Number(headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -2);
      expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(redirect).toBe("manual");
    }
    const ids = received.map(({ headers }) => headers["webhook-id"]);
    expect(new Set(ids).size).toBe(3);
    expect(await deliveries(user, jobId)).toEqual(
      ids.map((webhook_id, n) => ({
        webhook_id,
        type: n < 2 ? "job.item" : "job.end",
        attempts: 1,
        status: "delivered",
        last_status: 200,
        next_attempt_at: null,
      })),
    );
  });

  it("by default only job.end is sent", async () => {
    const { user, jobId } = await executedWithWebhook(2);
    expectOk(await report(user, jobId, 0, "done"));
    expectOk(await report(user, jobId, 1, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    await consume();
    expect(received.map(({ body }) => JSON.parse(body).type)).toEqual(["job.end"]);
  });

  it("a canceled job sends job.end with status canceled", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    expectOk(await call("POST", `/jobs/${jobId}/cancel`, { token: user.token }));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    await consume();
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type: "job.end", data: { status: "canceled" } });
  });
});

describe("retries", () => {
  it("after a 500 and a timeout the delivery is retried on the schedule, then delivered with the same id", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    expectOk(await report(user, jobId, 0, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    answers = [500, "timeout", 200];

    await consume();
    expect(tasks.map(({ delaySeconds }) => delaySeconds)).toEqual([Math.round(WEBHOOK_BACKOFF_SEC[0] * 0.001)]);
    expect(await deliveries(user, jobId)).toMatchObject([{ status: "pending", attempts: 1, last_status: 500 }]);
    await consume();
    expect(await deliveries(user, jobId)).toMatchObject([{ status: "pending", attempts: 2, last_status: null }]);
    await consume();
    expect(await deliveries(user, jobId)).toMatchObject([{ status: "delivered", attempts: 3, last_status: 200 }]);
    expect(new Set(received.map(({ headers }) => headers["webhook-id"])).size).toBe(1);
  });

  it("a receiver that never succeeds is tried 8 times, 5 s … 24 h apart (scaled), then marked failed", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    expectOk(await report(user, jobId, 0, "failed"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    answers = Array(8).fill(503);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      await timePasses(jobId);
      await consume();
      delays.push(...tasks.map(({ delaySeconds }) => delaySeconds));
    }
    expect(delays).toEqual(WEBHOOK_BACKOFF_SEC.map((sec) => Math.round(sec * 0.001)));
    expect(received).toHaveLength(8);
    expect(tasks).toHaveLength(0);
    expect(await deliveries(user, jobId)).toMatchObject([{ status: "failed", attempts: 8, last_status: 503 }]);
  });

  it("a redirect is not followed: it counts as a failed attempt", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    expectOk(await report(user, jobId, 0, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    answers = [302];
    await consume();
    expect(received).toHaveLength(1);
    expect(await deliveries(user, jobId)).toMatchObject([{ status: "pending", attempts: 1, last_status: 302 }]);
  });

  it("410 stops every delivery for the job, pending ones included, and records no new ones", async () => {
    const { user, jobId } = await executedWithWebhook(3, { url: RECEIVER, events: ["item", "end"] });
    expectOk(await report(user, jobId, 0, "done"));
    expectOk(await report(user, jobId, 1, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(2));
    answers = [410];
    const first = tasks.splice(1);
    await consume();
    tasks.push(...first);
    await consume();
    expectOk(await report(user, jobId, 2, "done"));
    expect(received).toHaveLength(1);
    expect(await deliveries(user, jobId)).toMatchObject([
      { status: "failed", attempts: 1, last_status: 410 },
      { status: "failed", attempts: 0 },
    ]);
    expect(tasks).toHaveLength(0);
  });

  it("a task the dead-letter queue receives fails its delivery", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    expectOk(await report(user, jobId, 0, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    const result = await consume("webhooks-dlq");
    expect(result.explicitAcks).toHaveLength(1);
    expect(received).toHaveLength(0);
    expect(await deliveries(user, jobId)).toMatchObject([{ status: "failed", attempts: 0 }]);
  });

  it("a task whose handling throws is retried by the queue (and reaches the dead-letter queue at last)", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    expectOk(await report(user, jobId, 0, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    // The Durable Objects run in this isolate: the class's prototype is the one the stub reaches.
    vi.spyOn(UserLimiter.prototype, "webhookSigningSecrets").mockImplementation(async () => {
      throw new Error("limiter down");
    });
    const result = await consume();
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toHaveLength(0);
  });
});

describe("replay", () => {
  it("sends a delivered event again with the same webhook-id", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    expectOk(await report(user, jobId, 0, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    await consume();
    const [delivery] = await deliveries(user, jobId);
    const replayed = await call("POST", `/jobs/${jobId}/webhooks/${delivery.webhook_id}/replay`, { token: user.token });
    expect(expectOk(replayed)).toMatchObject({ webhook_id: delivery.webhook_id, status: "pending", attempts: 1 });
    await consume();
    expect(received.map(({ headers }) => headers["webhook-id"])).toEqual([delivery.webhook_id, delivery.webhook_id]);
    expect(await deliveries(user, jobId)).toMatchObject([{ status: "delivered", attempts: 2 }]);
  });

  it("another user's job, or an unknown delivery, is JOB_NOT_FOUND", async () => {
    const { user, jobId } = await executedWithWebhook(1);
    const stranger = await newUser();
    expectError(await call("GET", `/jobs/${jobId}/webhooks`, { token: stranger.token }), 404, "JOB_NOT_FOUND");
    expectError(
      await call("POST", `/jobs/${jobId}/webhooks/msg_${"0".repeat(32)}/replay`, { token: user.token }),
      404,
      "JOB_NOT_FOUND",
    );
  });
});

describe("the signing secret", () => {
  it("is whsec_ + base64 of 32 bytes, made once; a rotation signs with both for 24 h, then the new one", async () => {
    const user = await newUser();
    const secret = await secretOf(user);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(secret.slice(6))).toHaveLength(32);
    expect(await secretOf(user)).toBe(secret);
    const rotated = expectOk(await call("POST", "/me/webhook-secret", { token: user.token }));
    expect(rotated.secret).not.toBe(secret);
    expect(Date.parse(rotated.previous_valid_until) - Date.now()).toBeGreaterThan(23.9 * 3600_000);

    const job = await uploadedJob(user, 1);
    const webhook = { url: RECEIVER };
    expectOk(
      await call("POST", `/jobs/${job.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK, webhook } }),
    );
    expectOk(await report(user, job.job_id, 0, "done"));
    await vi.waitFor(() => expect(tasks).toHaveLength(1));
    const [task] = tasks;
    await consume();
    const [delivery] = received;
    expect(delivery!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const key of [secret, rotated.secret]) {
      expect(new Webhook(key).verify(delivery!.body, delivery!.headers)).toMatchObject({ type: "job.end" });
    }

    // A day later the old secret no longer signs.
    await runInDurableObject(
      userLimiter(env, user.user_id) as unknown as DurableObjectStub<UserLimiter>,
      (_, state) => {
        state.storage.sql.exec("UPDATE webhook_secret SET rotated_ms = rotated_ms - 86400001");
      },
    );
    expect((await secretOf(user)) === rotated.secret).toBe(true);
    expect(expectOk(await call("GET", "/me/webhook-secret", { token: user.token })).previous_valid_until).toBeNull();
    await call("POST", `/jobs/${job.job_id}/webhooks/${task!.task.webhook_id}/replay`, { token: user.token });
    await consume();
    const again = received[1]!;
    expect(again.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(() => new Webhook(secret).verify(again.body, again.headers)).toThrow();
    expect(new Webhook(rotated.secret).verify(again.body, again.headers)).toMatchObject({ type: "job.end" });
  });
});

describe("execute's webhook", () => {
  it("refuses private, link-local, metadata and non-https addresses, naming webhook.url; runs nothing", async () => {
    const user = await newUser();
    const job = await uploadedJob(user, 1);
    for (const url of [
      "http://example.com/hook",
      "https://10.0.0.8/hook",
      "https://192.168.1.20/hook",
      "https://172.20.0.1/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/hook",
      "https://[fe80::1]/hook",
      "https://[fd12:3456::1]/hook",
      "https://[::ffff:10.0.0.1]/hook",
      "https://metadata.google.internal/computeMetadata/v1",
      "https://printer.local/hook",
      "https://0.0.0.0/hook",
      "ftp://example.com/hook",
      "https://user:pass@example.com/hook",
      "not a url",
    ]) {
      const answer = await call("POST", `/jobs/${job.job_id}/execute`, {
        token: user.token,
        json: { concepts: FLOOR_OAK, webhook: { url } },
      });
      expectError(answer, 400, "VALIDATION_ERROR");
      expect(answer.body.error?.details, url).toEqual({ field: "webhook.url" });
    }
    const typo = await call("POST", `/jobs/${job.job_id}/execute`, {
      token: user.token,
      json: { concepts: FLOOR_OAK, webhook: { url: RECEIVER, event: ["item"] } },
    });
    expectError(typo, 400, "VALIDATION_ERROR");
    expect(typo.body.error?.details).toEqual({ field: "webhook.event" });
    expect(expectOk(await call("GET", `/jobs/${job.job_id}`, { token: user.token })).status).toBe("uploaded");
    expect(received).toHaveLength(0);
  });
});
