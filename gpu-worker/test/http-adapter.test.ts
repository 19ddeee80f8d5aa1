import { afterEach, describe, expect, it } from "vitest";
import pino from "pino";
import { createHttpAdapter } from "../src/adapters/http";
import { queueMessage } from "@s3/contract/testing";
import { fakePipeline, type FakePipeline } from "./helpers/fakes";

let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

async function start(pipeline: FakePipeline, capacity = 2, token: string | null = null) {
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
    headers: { "Content-Type": "application/json" },
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

  it("with QUEUE_TOKEN set, POST /jobs without the right Bearer token answers 401 and starts nothing", async () => {
    const pipeline = fakePipeline();
    const base = await start(pipeline, 2, "queue-token");
    const send = (authorization?: string) =>
      fetch(`${base}/jobs`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
        body: JSON.stringify(queueMessage({ job_id: "job_token" })),
      });
    expect((await send()).status).toBe(401);
    expect((await send("Bearer wrong-token")).status).toBe(401);
    expect(pipeline.started).toEqual([]);
    expect((await send("Bearer queue-token")).status).toBe(202);
    expect(pipeline.started.map((m) => m.job_id)).toEqual(["job_token"]);
  });

  it("GET /health reports the segmenter, jobs in flight and capacity", async () => {
    const pipeline = fakePipeline();
    const base = await start(pipeline, 3);
    await post(base, queueMessage({ job_id: "job_http2" }));
    const health = await (await fetch(`${base}/health`)).json();
    expect(health).toMatchObject({
      ok: true,
      segmenter: "cpu (classical stand-in for SAM 3)",
      in_flight: 1,
      capacity: 3,
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
