// The one parse of the Worker's vars and secrets: defaults, limits, and a bad value that answers
// 500 INTERNAL_ERROR with a log line naming the variable, never its value.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig } from "../src/config";
import worker from "../src/index";

afterEach(() => {
  vi.restoreAllMocks();
});

const SECRETS = {
  JWT_SECRET: "test-jwt-secret-at-least-32-bytes-long!!",
  GPU_CALLBACK_SECRET: "test-gpu-callback-secret-at-least-32-chars",
  STORAGE_ACCESS_KEY: "access",
  STORAGE_SECRET_KEY: "secret",
  STORAGE_S3_ENDPOINT: "http://127.0.0.1:8787/s3/",
  STORAGE_BUCKET: "bucket",
  PUBLIC_BASE_URL: "http://127.0.0.1:8787/",
};

const QUEUE_TOKEN = "queue-token-of-at-least-32-characters!!";

describe("configuration", () => {
  it("applies the defaults when a var is unset or empty", () => {
    const config = loadConfig({ ...SECRETS, QUEUE_TOKEN, JOB_LEASE_SEC: "" });
    expect(config.jobs).toEqual({
      ttlSec: 86_400,
      leaseSec: 600,
      retryBudget: 3,
      batchConcurrency: 4,
      retentionDays: 30,
    });
    expect(config.anonPerMinute).toBe(30);
    expect(config.dispatch).toMatchObject({ mode: "bridge", httpUrl: null, queueToken: QUEUE_TOKEN });
    expect(config.dispatch.runpod.apiBase).toBe("https://api.runpod.ai/v2");
    expect(config.storage).toMatchObject({ uploadUrlTtlSec: 900, maxUploadBytes: 25 * 1024 * 1024 });
    expect(config.publicBaseUrl).toBe("http://127.0.0.1:8787");
    expect(config.adminSecret).toBeNull();
  });

  it("accepts a retry budget of 0 and refuses a batch concurrency over 64", () => {
    expect(loadConfig({ ...SECRETS, QUEUE_TOKEN, JOB_RETRY_BUDGET: "0" }).jobs.retryBudget).toBe(0);
    expect(() => loadConfig({ ...SECRETS, BATCH_CONCURRENCY: "65" })).toThrow(/BATCH_CONCURRENCY is invalid/);
    expect(() => loadConfig({ ...SECRETS, BATCH_CONCURRENCY: "0" })).toThrow(/BATCH_CONCURRENCY is invalid/);
  });

  it("names each missing setting a dispatch mode needs", () => {
    expect(() => loadConfig({ ...SECRETS, GPU_DISPATCH: "runpod", RUNPOD_ENDPOINT_ID: "endpoint" })).toThrow(
      /RUNPOD_API_KEY is missing/,
    );
    expect(() => loadConfig({ ...SECRETS, QUEUE_TOKEN, GPU_DISPATCH: "http" })).toThrow(/GPU_HTTP_URL is missing/);
    expect(() => loadConfig({ ...SECRETS, JWT_SECRET: "short" })).toThrow(ConfigError);
  });

  it("http and bridge dispatch refuse to start without QUEUE_TOKEN; runpod and queue do not need it", () => {
    for (const mode of ["http", "bridge"]) {
      const settings = { ...SECRETS, GPU_DISPATCH: mode, GPU_HTTP_URL: "http://127.0.0.1:9" };
      expect(() => loadConfig(settings), mode).toThrow(/QUEUE_TOKEN is missing/);
      expect(loadConfig({ ...settings, QUEUE_TOKEN }).dispatch.queueToken, mode).toBe(QUEUE_TOKEN);
    }
    const runpod = { GPU_DISPATCH: "runpod", RUNPOD_ENDPOINT_ID: "endpoint", RUNPOD_API_KEY: "key" };
    expect(loadConfig({ ...SECRETS, ...runpod }).dispatch.queueToken).toBeNull();
    expect(loadConfig({ ...SECRETS, GPU_DISPATCH: "queue" }).dispatch.mode).toBe("queue");
  });

  it("refuses every authorizing secret under 32 characters (docs/trust.md)", () => {
    const short = "x".repeat(31);
    for (const name of ["JWT_SECRET", "GPU_CALLBACK_SECRET", "ADMIN_SECRET", "QUEUE_TOKEN"]) {
      expect(() => loadConfig({ ...SECRETS, QUEUE_TOKEN, [name]: short }), name).toThrow(
        new RegExp(`${name} is invalid`),
      );
      expect(() => loadConfig({ ...SECRETS, QUEUE_TOKEN, [name]: "y".repeat(32) }), name).not.toThrow();
    }
  });

  for (const [name, value] of [
    ["GPU_DISPATCH", "carrier-pigeon-7731"],
    ["JOB_LEASE_SEC", "ten-minutes-7731"],
    // An old 24-character secret, as the seed shipped: the Worker answers 500 rather than trust it.
    ["GPU_CALLBACK_SECRET", "old-callback-secret-7731"],
    ["ADMIN_SECRET", "admin-7731"],
  ] as const) {
    it(`a bad ${name} answers 500 INTERNAL_ERROR and the log names ${name} without its value`, async () => {
      const logged: string[] = [];
      vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
        logged.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : String(arg))).join(" "));
      });
      const response = await worker.fetch(
        new Request("http://127.0.0.1:8787/health"),
        { ...env, [name]: value },
        createExecutionContext(),
      );
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ success: false, error: { code: "INTERNAL_ERROR" } });
      expect(text).not.toContain("7731");
      const log = logged.join("\n");
      expect(log).toContain(name);
      expect(log).not.toContain("7731");
    });
  }
});
