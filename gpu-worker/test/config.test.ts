import { spawnSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

const BASE = {
  STORAGE_S3_ENDPOINT: "http://127.0.0.1:8787/cdn-cgi/local/r2/s3",
  STORAGE_ACCESS_KEY: "key",
  STORAGE_SECRET_KEY: "secret",
  STORAGE_BUCKET: "s3-media",
  GPU_CALLBACK_SECRET: "gpu-callback-secret-".padEnd(32, "x"),
  CALLBACK_BASE_URL: "http://127.0.0.1:8787",
  QUEUE_TOKEN: "queue-token-".padEnd(32, "q"),
};

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(BASE);
    expect(config).toMatchObject({
      adapter: "http",
      segmenter: "cpu",
      batchConcurrency: 4,
      modelCacheDir: "/models",
      callbackTimeoutSec: 10,
      maxInputPixels: 50_000_000,
      queue: null,
    });
  });

  it.each(Object.keys(BASE))("a missing %s stops start-up with a message naming it", (name) => {
    const env: Record<string, string> = { ...BASE };
    delete env[name];
    expect(problem(env)).toContain(`${name} is missing`);
  });

  it("a bad BATCH_CONCURRENCY is named", () => {
    expect(problem({ ...BASE, BATCH_CONCURRENCY: "zero" })).toContain("BATCH_CONCURRENCY is invalid");
    expect(problem({ ...BASE, SEGMENTER: "gpu" })).toContain("SEGMENTER is invalid");
  });

  it("RENDER_THREADS sizes the render pool; PHASE_B_THREADS, its earlier name, counts only when it is unset", () => {
    expect(loadConfig(BASE).renderThreads).toBe(os.availableParallelism());
    expect(loadConfig({ ...BASE, RENDER_THREADS: "0" }).renderThreads).toBe(0);
    expect(loadConfig({ ...BASE, PHASE_B_THREADS: "3" }).renderThreads).toBe(3);
    expect(loadConfig({ ...BASE, RENDER_THREADS: "2", PHASE_B_THREADS: "3" }).renderThreads).toBe(2);
    expect(problem({ ...BASE, RENDER_THREADS: "-1" })).toContain("RENDER_THREADS is invalid");
  });

  it("SEGMENTER=sim (the benchmark stand-in) takes its simulated times, 30 ms per photo by default", () => {
    expect(loadConfig({ ...BASE, SEGMENTER: "sim" }).sim).toEqual({ imageMs: 30, conceptMs: 0, mode: "timer" });
    expect(
      loadConfig({ ...BASE, SEGMENTER: "sim", SIM_IMAGE_MS: "12", SIM_CONCEPT_MS: "3", SIM_MODE: "blocking" }).sim,
    ).toEqual({
      imageMs: 12,
      conceptMs: 3,
      mode: "blocking",
    });
    expect(problem({ ...BASE, SIM_MODE: "spin" })).toContain("SIM_MODE is invalid");
    expect(problem({ ...BASE, SIM_IMAGE_MS: "-1" })).toContain("SIM_IMAGE_MS is invalid");
  });

  it("ONNX_PROVIDER=cuda never falls back to CPU unless ONNX_ALLOW_CPU_FALLBACK=true", () => {
    expect(loadConfig({ ...BASE, SEGMENTER: "onnx" })).toMatchObject({
      onnxProvider: "cuda",
      onnxAllowCpuFallback: false,
    });
    expect(loadConfig({ ...BASE, ONNX_ALLOW_CPU_FALLBACK: "true" }).onnxAllowCpuFallback).toBe(true);
    expect(problem({ ...BASE, ONNX_ALLOW_CPU_FALLBACK: "yes" })).toContain("ONNX_ALLOW_CPU_FALLBACK is invalid");
  });

  it("queue_pull needs QUEUE_ENDPOINT and QUEUE_TOKEN", () => {
    const { QUEUE_TOKEN: _token, ...withoutToken } = BASE;
    const message = problem({ ...withoutToken, ADAPTER: "queue_pull" });
    expect(message).toContain("QUEUE_ENDPOINT");
    expect(message).toContain("QUEUE_TOKEN");
    const config = loadConfig({
      ...BASE,
      ADAPTER: "queue_pull",
      QUEUE_ENDPOINT: "https://api.cloudflare.com/client/v4/accounts/a/queues/q/",
    });
    expect(config.queue).toMatchObject({
      endpoint: "https://api.cloudflare.com/client/v4/accounts/a/queues/q",
      token: BASE.QUEUE_TOKEN,
      batchSize: 10,
    });
  });

  it("the http adapter never starts open: without QUEUE_TOKEN start-up stops, naming it", () => {
    const { QUEUE_TOKEN: _token, ...withoutToken } = BASE;
    expect(problem(withoutToken)).toContain("QUEUE_TOKEN is missing (required when ADAPTER=http)");
    expect(problem({ ...withoutToken, ADAPTER: "http" })).toContain("QUEUE_TOKEN is missing");
    expect(loadConfig(BASE).httpToken).toBe(BASE.QUEUE_TOKEN);
  });

  it.each(["GPU_CALLBACK_SECRET", "QUEUE_TOKEN"])("a %s under 32 characters stops start-up, naming it", (name) => {
    expect(problem({ ...BASE, [name]: "x".repeat(31) })).toContain(
      `${name} is invalid: must be at least 32 characters`,
    );
    expect(() => loadConfig({ ...BASE, [name]: "x".repeat(32) })).not.toThrow();
  });

  it("callbacks go only to CALLBACK_BASE_URL's origin; MAX_UPLOAD_BYTES defaults to 25 MiB", () => {
    const config = loadConfig({ ...BASE, CALLBACK_BASE_URL: "https://api.example.com/some/path/" });
    expect(config).toMatchObject({ callbackOrigin: "https://api.example.com", maxUploadBytes: 26_214_400 });
    expect(problem({ ...BASE, CALLBACK_BASE_URL: "not a url" })).toContain("CALLBACK_BASE_URL is invalid");
  });

  it("main exits 1 with the missing variable's name", () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const result = spawnSync(process.execPath, ["--import", "tsx", main], {
      env: { PATH: process.env.PATH ?? "", ...BASE, STORAGE_BUCKET: "" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("STORAGE_BUCKET is missing");
  });
});
