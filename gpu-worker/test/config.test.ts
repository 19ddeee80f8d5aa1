import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

const BASE = {
  STORAGE_S3_ENDPOINT: "http://127.0.0.1:8787/cdn-cgi/local/r2/s3",
  STORAGE_ACCESS_KEY: "key",
  STORAGE_SECRET_KEY: "secret",
  STORAGE_BUCKET: "s3-media",
  GPU_CALLBACK_SECRET: "shared",
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
  it("applies the SPEC §12 defaults", () => {
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

  it("SEGMENTER=sim (the benchmark stand-in) takes its simulated times, 30 ms per photo by default", () => {
    expect(loadConfig({ ...BASE, SEGMENTER: "sim" }).sim).toEqual({ imageMs: 30, conceptMs: 0 });
    expect(loadConfig({ ...BASE, SEGMENTER: "sim", SIM_IMAGE_MS: "12", SIM_CONCEPT_MS: "3" }).sim).toEqual({
      imageMs: 12,
      conceptMs: 3,
    });
    expect(problem({ ...BASE, SIM_IMAGE_MS: "-1" })).toContain("SIM_IMAGE_MS is invalid");
  });

  it("queue_pull needs QUEUE_ENDPOINT and QUEUE_TOKEN", () => {
    const message = problem({ ...BASE, ADAPTER: "queue_pull" });
    expect(message).toContain("QUEUE_ENDPOINT");
    expect(message).toContain("QUEUE_TOKEN");
    const config = loadConfig({
      ...BASE,
      ADAPTER: "queue_pull",
      QUEUE_ENDPOINT: "https://api.cloudflare.com/client/v4/accounts/a/queues/q/",
      QUEUE_TOKEN: "t",
    });
    expect(config.queue).toMatchObject({
      endpoint: "https://api.cloudflare.com/client/v4/accounts/a/queues/q",
      token: "t",
      batchSize: 10,
    });
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
