import { afterEach, describe, expect, it } from "vitest";
import pino from "pino";
import { createHttpAdapter } from "../../src/adapters/http";
import { queueMessage } from "@s3/contract/testing";
import { fakePipeline, type FakePipeline } from "../helpers/fakes";

let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

const TOKEN = "queue-token-for-the-http-adapter-tests";

async function start(pipeline: FakePipeline, capacity = 2, token = TOKEN) {
  const adapter = createHttpAdapter({
    pipeline,
    segmenterName: "cpu (classical stand-in for SAM 3)",
    port: 0,
    host: "127.0.0.1",
    capacity,
    logger: pino({ level: "silent" }),
    token,
  });
  await adapter.start();
  stop = () => adapter.stop(100);
  return `http://127.0.0.1:${adapter.port}`;
}

const post = (base: string, body: unknown) =>
  fetch(`${base}/jobs`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("http adapter", () => {
  it("POST /jobs with a queue message answers 202 and starts the job", async () => {
    const pipeline = fakePipeline();
    const base = await start(pipeline);
    const response = await post(base, queueMessage({ job_id: "job_http1" }));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: true, job_id: "job_http1" });
    expect(pipeline.started.map((m) => m.job_id)).toEqual(["job_http1"]);
  });

  it("POST /jobs with a body that is not a queue message answers 400 and starts nothing", async () => {
    const pipeline = fakePipeline();
    const base = await start(pipeline);
    const { items: _items, ...withoutItems } = queueMessage();
    expect((await post(base, withoutItems)).status).toBe(400);
    expect((await post(base, "{not json")).status).toBe(400);
    expect(pipeline.started).toEqual([]);
  });

  it("POST /jobs without the QUEUE_TOKEN Bearer answers 401 and starts nothing", async () => {
    const pipeline = fakePipeline();
    const base = await start(pipeline, 2);
    const send = (authorization?: string) =>
      fetch(`${base}/jobs`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
        body: JSON.stringify(queueMessage({ job_id: "job_token" })),
      });
    expect((await send()).status).toBe(401);
    expect((await send("Bearer wrong-token")).status).toBe(401);
    expect(pipeline.started).toEqual([]);
    expect((await send(`Bearer ${TOKEN}`)).status).toBe(202);
    expect(pipeline.started.map((m) => m.job_id)).toEqual(["job_token"]);
  });

  it("an empty token still refuses every job: the adapter is never open", async () => {
    const pipeline = fakePipeline();
    const base = await start(pipeline, 2, "");
    const response = await fetch(`${base}/jobs`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " },
      body: JSON.stringify(queueMessage({ job_id: "job_open" })),
    });
    expect(response.status).toBe(401);
    expect(pipeline.started).toEqual([]);
  });

  it.each(["job_../../x", "job_a/b", "job_a.b"])("a job id like %s is not a queue message (400)", async (jobId) => {
    const pipeline = fakePipeline();
    const base = await start(pipeline);
    expect((await post(base, { ...queueMessage(), job_id: jobId })).status).toBe(400);
    expect((await post(base, { ...queueMessage(), user_id: "u_x/../u_victim" })).status).toBe(400);
    expect(pipeline.started).toEqual([]);
  });

  it("GET /health reports the segmenter, jobs in flight, capacity and the mask cache's counters", async () => {
    const pipeline = fakePipeline();
    pipeline.segmentCounts.segmenter_calls = 5;
    pipeline.segmentCounts.cache_hits = 12;
    const base = await start(pipeline, 3);
    await post(base, queueMessage({ job_id: "job_http2" }));
    const health = await (await fetch(`${base}/health`)).json();
    expect(health).toMatchObject({
      ok: true,
      segmenter: "cpu (classical stand-in for SAM 3)",
      in_flight: 1,
      capacity: 3,
      segmenter_calls: 5,
      cache_hits: 12,
      cache_misses: 0,
    });
  });

  it("answers 503 while every job slot is taken", async () => {
    const pipeline = fakePipeline();
    const base = await start(pipeline, 1);
    expect((await post(base, queueMessage({ job_id: "job_http3" }))).status).toBe(202);
    expect((await post(base, queueMessage({ job_id: "job_http4" }))).status).toBe(503);
    pipeline.finish(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await post(base, queueMessage({ job_id: "job_http4" }))).status).toBe(202);
  });

  it("stop() stops the pipeline from starting items", async () => {
    const pipeline = fakePipeline();
    await start(pipeline);
    await stop!();
    stop = null;
    expect(pipeline.stopped).toBe(true);
  });
});
