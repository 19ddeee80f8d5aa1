// ADAPTER=runpod as the container starts it: its configuration, and the whole process in
// local test mode (`src/main.ts --test_input '<json>'`), exiting with the job's verdict.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { storageKeys } from "@s3/contract";
import { interiorScene, queueMessage } from "@s3/contract/testing";
import { ConfigError, loadConfig } from "../src/config";
import { startFakeCallbacks, startFakeS3, type FakeCallbacks, type FakeS3 } from "./helpers/servers";

const SECRET = "gpu-callback-secret-for-tests-0123456789";
const USER = "u_rpmain";
const BASE = {
  STORAGE_S3_ENDPOINT: "http://127.0.0.1:8787/cdn-cgi/local/r2/s3",
  STORAGE_ACCESS_KEY: "test-access",
  STORAGE_SECRET_KEY: "test-secret",
  STORAGE_BUCKET: "s3-test",
  GPU_CALLBACK_SECRET: SECRET,
  CALLBACK_BASE_URL: "http://127.0.0.1:8787",
  ADAPTER: "runpod",
};

describe("runpod configuration", () => {
  it("on a Runpod worker the job webhook needs the output webhook and the AI API key", () => {
    let message = "";
    try {
      loadConfig({ ...BASE, RUNPOD_WEBHOOK_GET_JOB: "https://api.runpod.ai/v2/ep/job-take/$RUNPOD_POD_ID?gpu=x" });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("RUNPOD_WEBHOOK_POST_OUTPUT is missing");
    expect(message).toContain("RUNPOD_AI_API_KEY is missing");
  });

  it("reads Runpod's variables, with the runtime's 10 s heartbeat by default", () => {
    const config = loadConfig({
      ...BASE,
      RUNPOD_WEBHOOK_GET_JOB: "https://rp/job-take/$RUNPOD_POD_ID?gpu=x",
      RUNPOD_WEBHOOK_POST_OUTPUT: "https://rp/job-done/$RUNPOD_POD_ID/$ID?gpu=x",
      RUNPOD_WEBHOOK_PING: "https://rp/ping/$RUNPOD_POD_ID?gpu=x",
      RUNPOD_AI_API_KEY: "key",
      RUNPOD_POD_ID: "pod-9",
    });
    expect(config.adapter).toBe("runpod");
    expect(config.runpod).toEqual({
      getJobUrl: "https://rp/job-take/$RUNPOD_POD_ID?gpu=x",
      postOutputUrl: "https://rp/job-done/$RUNPOD_POD_ID/$ID?gpu=x",
      pingUrl: "https://rp/ping/$RUNPOD_POD_ID?gpu=x",
      pingIntervalMs: 10_000,
      apiKey: "key",
      podId: "pod-9",
    });
  });

  it("without Runpod's webhooks (a local run) nothing Runpod-specific is required", () => {
    expect(loadConfig(BASE).runpod.getJobUrl).toBeNull();
  });
});

describe("src/main.ts --test_input", () => {
  let s3: FakeS3;
  let callbacks: FakeCallbacks;
  let png: Buffer;
  const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

  beforeAll(async () => {
    [s3, callbacks] = await Promise.all([startFakeS3(), startFakeCallbacks(SECRET)]);
    const scene = interiorScene(80, 60, 5);
    png = await sharp(scene.image.data, { raw: { width: 80, height: 60, channels: 3 } })
      .png()
      .toBuffer();
  });
  afterAll(async () => {
    await Promise.all([s3.close(), callbacks.close()]);
  });

  /** Runs the worker process to its exit; the fakes keep answering meanwhile (no spawnSync). */
  function runMain(testInput: unknown): Promise<number | null> {
    const child = spawn(process.execPath, ["--import", "tsx", main, "--test_input", JSON.stringify(testInput)], {
      env: {
        PATH: process.env.PATH ?? "",
        ...BASE,
        STORAGE_S3_ENDPOINT: s3.endpoint,
        STORAGE_BUCKET: s3.bucket,
        CALLBACK_BASE_URL: new URL(callbacks.url("job_x")).origin,
        LOG_LEVEL: "silent",
      },
      stdio: "ignore",
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    return new Promise((resolve) => child.on("exit", (code) => (clearTimeout(killer), resolve(code))));
  }

  it("runs the one job through the engine, reports each item to the Worker and exits 0", async () => {
    const jobId = "job_rpmain1";
    s3.objects.set(storageKeys.input(USER, jobId, 0), { body: png, contentType: "image/png" });
    const message = queueMessage({
      job_id: jobId,
      user_id: USER,
      concepts: { Wall: { action: "tone", value: "warm" } },
      protect: [],
      callback_url: callbacks.url(jobId),
      batch_concurrency: 1,
    });
    expect(await runMain({ input: message })).toBe(0);
    expect(callbacks.received.filter((r) => r.jobId === jobId).map((r) => r.body.status)).toEqual(["done"]);
    expect(s3.objects.has(storageKeys.output(USER, jobId, 0))).toBe(true);
  });

  it("exits 1 when the test input is not a queue message", async () => {
    expect(await runMain({ input: { job_id: "job_rpmain2" } })).toBe(1);
  });
});
