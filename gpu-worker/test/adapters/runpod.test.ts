import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import sharp from "sharp";
import { storageKeys, type QueueMessage } from "@s3/contract";
import { interiorScene, queueItems, queueMessage } from "@s3/contract/testing";
import { createRunpodAdapter, localTestJob, type RunpodAdapterOptions } from "../../src/adapters/runpod";
import type { Adapter } from "../../src/adapters/types";
import type { Pipeline } from "../../src/engine/pipeline";
import { until } from "../helpers/wait";
import { fakePipeline } from "../helpers/fakes";
import { pipelineAgainst } from "../helpers/pipeline";
import { startFakeCallbacks, startFakeS3, type FakeCallbacks, type FakeS3 } from "../helpers/servers";
import { startFakeRunpod, type FakeRunpod } from "../helpers/fake-runpod";

const API_KEY = "rp-ai-key-for-tests";
const POD = "pod-test-1";
const SECRET = "gpu-callback-secret-for-tests-0123456789";
const USER = "u_runpod";
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const logger = pino({ level: "silent" });

let runpod: FakeRunpod;
let s3: FakeS3;
let callbacks: FakeCallbacks;
let scenePng: Buffer;
let adapter: Adapter | null = null;

beforeAll(async () => {
  [runpod, s3, callbacks] = await Promise.all([
    startFakeRunpod(API_KEY, POD),
    startFakeS3(),
    startFakeCallbacks(SECRET),
  ]);
  const scene = interiorScene(120, 90, 3);
  scenePng = await sharp(scene.image.data, { raw: { width: 120, height: 90, channels: 3 } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await Promise.all([runpod.close(), s3.close(), callbacks.close()]);
});
afterEach(async () => {
  await adapter?.stop(1_000);
  adapter = null;
});

function start(pipeline: Pipeline, overrides: Partial<RunpodAdapterOptions> = {}): Adapter {
  adapter = createRunpodAdapter({
    pipeline,
    capacity: 1,
    logger,
    getJobUrl: runpod.env.getJob,
    postOutputUrl: runpod.env.postOutput,
    pingUrl: runpod.env.ping,
    pingIntervalMs: 20,
    apiKey: API_KEY,
    podId: POD,
    pollIntervalMs: 10,
    argv: [],
    ...overrides,
  });
  void adapter.start();
  return adapter;
}

function realPipeline(): Pipeline {
  return pipelineAgainst({ s3, callbacks, secret: SECRET, retry: FAST_RETRY, logger }, { batchConcurrency: 2 });
}

/** A two-item job whose inputs are in the fake S3. */
function uploadedJob(jobId: string): QueueMessage {
  for (const idx of [0, 1])
    s3.objects.set(storageKeys.input(USER, jobId, idx), { body: scenePng, contentType: "image/png" });
  return queueMessage({
    job_id: jobId,
    user_id: USER,
    protect: ["Frame_Molding"],
    items: queueItems(USER, jobId, 2),
    callback_url: callbacks.url(jobId),
    batch_concurrency: 2,
    watermark: false,
  });
}

describe("runpod adapter (serverless worker protocol)", () => {
  it("takes a job, runs every item through the engine with per-item callbacks, and posts the job's tally", async () => {
    const message = uploadedJob("job_rp_whole");
    runpod.queue({ id: "rp-job-1", input: message });
    start(realPipeline());
    const result = await runpod.resultFor("rp-job-1");

    expect(result).toEqual({
      output: { job_id: "job_rp_whole", total: 2, done: 2, failed: 0, unreported: 0, complete: true },
    });
    expect(runpod.results.get("rp-job-1")).toMatchObject({ isStream: "false" });
    const reports = callbacks.received.filter((r) => r.jobId === "job_rp_whole").map((r) => r.body);
    expect(reports.map((body) => [body.idx, body.status]).sort()).toEqual([
      [0, "done"],
      [1, "done"],
    ]);
    expect(s3.objects.has(storageKeys.output(USER, "job_rp_whole", 0))).toBe(true);
    expect(s3.objects.has(storageKeys.preview(USER, "job_rp_whole", 1))).toBe(true);
    expect(runpod.takes[0]).toBe("0");
    expect(runpod.unauthorized).toBe(0);
  });

  it("heartbeats name the jobs in progress, and stop naming a job once its result is posted", async () => {
    const pipeline = fakePipeline();
    runpod.queue({ id: "rp-job-ping", input: queueMessage({ job_id: "job_rp_ping" }) });
    start(pipeline);
    await until(() => pipeline.started.length === 1, "the job to start");
    await until(() => runpod.pings.includes("rp-job-ping"), "a ping naming the job");
    // While its only slot is taken the worker asks for no other job.
    const takesWhileBusy = runpod.takes.length;
    await sleep(50);
    expect(runpod.takes.length).toBe(takesWhileBusy);
    pipeline.finish(true);
    await runpod.resultFor("rp-job-ping");
    const pingsAfter = runpod.pings.length;
    await until(() => runpod.pings.length > pingsAfter + 1, "later pings");
    expect(runpod.pings.at(-1)).toBe("");
  });

  it("an input that is not a queue message is posted back as an error, and the engine never sees it", async () => {
    const pipeline = fakePipeline();
    const { callback_url: _dropped, ...notAMessage } = queueMessage({ job_id: "job_rp_bad" });
    runpod.queue({ id: "rp-job-bad", input: notAMessage });
    start(pipeline);
    const result = await runpod.resultFor("rp-job-bad");
    expect(String(result.error)).toMatch(/not a queue message.*callback_url/);
    expect(pipeline.started).toEqual([]);
  });

  it(
    "a job whose items could not all be reported still " + "posts an output (the Worker's lease re-sends them)",
    async () => {
      const pipeline = fakePipeline();
      runpod.queue({ id: "rp-job-partial", input: queueMessage({ job_id: "job_rp_partial" }) });
      start(pipeline);
      await until(() => pipeline.started.length === 1, "the job to start");
      pipeline.finish(false);
      expect(await runpod.resultFor("rp-job-partial")).toMatchObject({ output: { complete: false, unreported: 1 } });
    },
  );

  it("stop (SIGTERM) takes no new job and lets the job in flight finish and post its result", async () => {
    const pipeline = fakePipeline();
    runpod.queue({ id: "rp-job-drain", input: queueMessage({ job_id: "job_rp_drain" }) });
    const running = start(pipeline);
    await until(() => pipeline.started.length === 1, "the job to start");
    runpod.queue({ id: "rp-job-never", input: queueMessage({ job_id: "job_rp_never" }) });
    const stopped = running.stop(5_000);
    // Within the grace the job taken runs all its items, started or not (as runpod-python).
    expect(pipeline.stopped).toBe(false);
    pipeline.finish(true);
    await stopped;
    adapter = null;
    expect(runpod.results.get("rp-job-drain")?.body).toMatchObject({ output: { complete: true } });
    expect(pipeline.started.map((m) => m.job_id)).toEqual(["job_rp_drain"]);
    expect(runpod.results.has("rp-job-never")).toBe(false);
  });
});

describe("runpod local test mode (--test_input / test_input.json)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "s3-runpod-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the job from --test_input, in either argument form, with id local_test by default", async () => {
    const input = queueMessage({ job_id: "job_local1" });
    expect(await localTestJob(["--test_input", JSON.stringify({ input })], dir)).toEqual({ id: "local_test", input });
    expect(await localTestJob([`--test_input=${JSON.stringify({ id: "mine", input })}`], dir)).toEqual({
      id: "mine",
      input,
    });
  });

  it("falls back to test_input.json in the working directory, and finds nothing without either", async () => {
    expect(await localTestJob([], dir)).toBeNull();
    const input = queueMessage({ job_id: "job_local2" });
    await writeFile(path.join(dir, "test_input.json"), JSON.stringify({ input }));
    expect(await localTestJob([], dir)).toEqual({ id: "local_test", input });
    await rm(path.join(dir, "test_input.json"));
  });

  it("a test job without input is refused", async () => {
    await expect(localTestJob(["--test_input", '{"id":"x"}'], dir)).rejects.toThrow(/no input/);
  });

  it("runs the one job through the engine and exits 0, without contacting Runpod", async () => {
    const message = uploadedJob("job_rp_local");
    const exitCode = new Promise<number>((resolve) => {
      start(realPipeline(), {
        getJobUrl: null,
        argv: ["--test_input", JSON.stringify({ input: message })],
        onLocalTestDone: resolve,
      });
    });
    expect(await exitCode).toBe(0);
    const reports = callbacks.received.filter((r) => r.jobId === "job_rp_local");
    expect(reports).toHaveLength(2);
    expect(runpod.results.has("local_test")).toBe(false);
  });

  it("--test_input wins over the Runpod webhooks, and a bad input exits 1", async () => {
    const pipeline = fakePipeline();
    const takesBefore = runpod.takes.length;
    const exitCode = new Promise<number>((resolve) => {
      start(pipeline, {
        argv: ["--test_input", JSON.stringify({ input: { job_id: "half a message" } })],
        onLocalTestDone: resolve,
      });
    });
    expect(await exitCode).toBe(1);
    expect(pipeline.started).toEqual([]);
    expect(runpod.takes.length).toBe(takesBefore);
  });
});
