// The environment contract (gpu-worker/README.md, Configuration), parsed once at start. A bad or missing variable
// stops the process with a message naming it.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { BATCH_CONCURRENCY, describeEnvIssues, SECRET_MIN_LENGTH, UPLOAD_BYTES_DEFAULT } from "@s3/contract";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** Adapters this build knows; a new platform adds its name here and a factory in start.ts. */
export const ADAPTERS = ["http", "queue_pull", "runpod"] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** Shared secrets are at least SECRET_MIN_LENGTH long (docs/trust.md); a shorter one stops start-up. */
const secret = z.string().min(SECRET_MIN_LENGTH, `must be at least ${SECRET_MIN_LENGTH} characters`);

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z
  .object({
    ADAPTER: z.enum(ADAPTERS).default("http"),
    SEGMENTER: z.enum(["cpu", "onnx", "sim"]).default("cpu"),
    // SEGMENTER=sim only, a benchmark stand-in: simulated device time per photo and per concept.
    SIM_IMAGE_MS: int(0, 60_000, 30),
    SIM_CONCEPT_MS: int(0, 60_000, 0),
    // timer: wait on a timer; blocking: hold the segmenter thread for the time, as onnxruntime's run() does.
    SIM_MODE: z.enum(["timer", "blocking"]).default("timer"),
    ONNX_PROVIDER: z.enum(["cuda", "cpu"]).default("cuda"),
    // With ONNX_PROVIDER=cuda, a CUDA provider that fails to load stops the start unless this is true.
    ONNX_ALLOW_CPU_FALLBACK: z.enum(["true", "false"]).default("false"),
    STORAGE_S3_ENDPOINT: z.string().url(),
    STORAGE_ACCESS_KEY: z.string().min(1),
    STORAGE_SECRET_KEY: z.string().min(1),
    STORAGE_BUCKET: z.string().min(1),
    BATCH_CONCURRENCY: int(BATCH_CONCURRENCY.min, BATCH_CONCURRENCY.max, BATCH_CONCURRENCY.default),
    // The render pool's threads (apply + encode); 0 runs the render step on the main thread. Default: one per core.
    RENDER_THREADS: z.coerce.number().int().min(0).max(256).optional(),
    // RENDER_THREADS' earlier name, still read when RENDER_THREADS is unset.
    PHASE_B_THREADS: z.coerce.number().int().min(0).max(256).optional(),
    // Decoded pixels in flight across all items: the memory bound (≈ 10 bytes per pixel at peak).
    MAX_PIXELS_IN_FLIGHT: int(1_000_000, 10_000_000_000, 100_000_000),
    MAX_JOBS: int(1, 64, 2),
    MODEL_CACHE_DIR: z.string().min(1).default("/models"),
    CALLBACK_TIMEOUT_SEC: z.coerce.number().positive().max(300).default(10),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    GPU_CALLBACK_SECRET: secret,
    // The Worker's origin: callbacks, which carry GPU_CALLBACK_SECRET, go there and nowhere else.
    CALLBACK_BASE_URL: z.string().url(),
    MAX_INPUT_PIXELS: int(1, 1_000_000_000, 50_000_000),
    MAX_UPLOAD_BYTES: int(1, 2 ** 40, UPLOAD_BYTES_DEFAULT),
    PORT: int(0, 65535, 8080),
    QUEUE_ENDPOINT: z.string().url().optional(),
    QUEUE_TOKEN: secret.optional(),
    QUEUE_PULL_BATCH_SIZE: int(1, 100, 10),
    QUEUE_VISIBILITY_TIMEOUT_MS: int(1_000, 43_200_000, 900_000),
    QUEUE_POLL_INTERVAL_MS: int(10, 600_000, 1_000),
    SHUTDOWN_GRACE_SEC: z.coerce.number().min(0).max(3600).default(30),
    // Set by Runpod on a serverless worker; without RUNPOD_WEBHOOK_GET_JOB the runpod adapter runs its local test job.
    RUNPOD_WEBHOOK_GET_JOB: z.string().min(1).optional(),
    RUNPOD_WEBHOOK_POST_OUTPUT: z.string().min(1).optional(),
    RUNPOD_WEBHOOK_PING: z.string().min(1).optional(),
    RUNPOD_PING_INTERVAL: int(100, 600_000, 10_000),
    RUNPOD_AI_API_KEY: z.string().min(1).optional(),
    RUNPOD_POD_ID: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.ADAPTER === "runpod" && env.RUNPOD_WEBHOOK_GET_JOB) {
      for (const name of ["RUNPOD_WEBHOOK_POST_OUTPUT", "RUNPOD_AI_API_KEY"] as const) {
        if (!env[name])
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: "required when ADAPTER=runpod and RUNPOD_WEBHOOK_GET_JOB is set",
          });
      }
    }
    // An open http adapter would run anyone's job with our storage keys and callback secret.
    if (env.ADAPTER === "http" && !env.QUEUE_TOKEN)
      ctx.addIssue({ code: "custom", path: ["QUEUE_TOKEN"], message: "required when ADAPTER=http" });
    if (env.ADAPTER !== "queue_pull") return;
    for (const name of ["QUEUE_ENDPOINT", "QUEUE_TOKEN"] as const) {
      if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: "required when ADAPTER=queue_pull" });
    }
  });

export interface Config {
  adapter: AdapterName;
  segmenter: "cpu" | "onnx" | "sim";
  /** SEGMENTER=sim (a benchmark stand-in for measurement only): simulated accelerator time. */
  sim: { imageMs: number; conceptMs: number; mode: "timer" | "blocking" };
  onnxProvider: "cuda" | "cpu";
  /** ONNX_ALLOW_CPU_FALLBACK: run on CPU when ONNX_PROVIDER=cuda cannot load CUDA (never silently). */
  onnxAllowCpuFallback: boolean;
  storage: { endpoint: string; accessKey: string; secretKey: string; bucket: string };
  batchConcurrency: number;
  /** render pool threads (RENDER_THREADS); 0 = on the main thread. */
  renderThreads: number;
  /** Decoded pixels in flight at once (MAX_PIXELS_IN_FLIGHT). */
  maxPixelsInFlight: number;
  /** Jobs (queue messages) held at once; their items share the BATCH_CONCURRENCY slots. */
  maxJobs: number;
  modelCacheDir: string;
  callbackTimeoutSec: number;
  logLevel: (typeof LOG_LEVELS)[number];
  callbackSecret: string;
  /** The only origin callbacks are posted to (CALLBACK_BASE_URL). */
  callbackOrigin: string;
  maxInputPixels: number;
  /** The most bytes read for one input (MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
  port: number;
  /** http adapter: the Bearer token POST /jobs requires (QUEUE_TOKEN); null only for other adapters. */
  httpToken: string | null;
  queue: {
    endpoint: string;
    token: string;
    batchSize: number;
    visibilityTimeoutMs: number;
    pollIntervalMs: number;
  } | null;
  shutdownGraceSec: number;
  /** Runpod's webhooks (ADAPTER=runpod); getJobUrl null means the local test mode. */
  runpod: {
    getJobUrl: string | null;
    postOutputUrl: string | null;
    pingUrl: string | null;
    pingIntervalMs: number;
    apiKey: string | null;
    podId: string;
  };
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad or missing variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty string is "not set", so defaults apply to `FOO=` lines in .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(describeEnvIssues(parsed.error.issues, cleaned));
  }
  const e = parsed.data;
  return {
    adapter: e.ADAPTER,
    segmenter: e.SEGMENTER,
    sim: { imageMs: e.SIM_IMAGE_MS, conceptMs: e.SIM_CONCEPT_MS, mode: e.SIM_MODE },
    onnxProvider: e.ONNX_PROVIDER,
    onnxAllowCpuFallback: e.ONNX_ALLOW_CPU_FALLBACK === "true",
    storage: {
      endpoint: e.STORAGE_S3_ENDPOINT.replace(/\/+$/, ""),
      accessKey: e.STORAGE_ACCESS_KEY,
      secretKey: e.STORAGE_SECRET_KEY,
      bucket: e.STORAGE_BUCKET,
    },
    batchConcurrency: e.BATCH_CONCURRENCY,
    renderThreads: e.RENDER_THREADS ?? e.PHASE_B_THREADS ?? os.availableParallelism(),
    maxPixelsInFlight: e.MAX_PIXELS_IN_FLIGHT,
    maxJobs: e.MAX_JOBS,
    modelCacheDir: e.MODEL_CACHE_DIR,
    callbackTimeoutSec: e.CALLBACK_TIMEOUT_SEC,
    logLevel: e.LOG_LEVEL,
    callbackSecret: e.GPU_CALLBACK_SECRET,
    callbackOrigin: new URL(e.CALLBACK_BASE_URL).origin,
    maxInputPixels: e.MAX_INPUT_PIXELS,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    port: e.PORT,
    httpToken: e.QUEUE_TOKEN ?? null,
    queue:
      e.QUEUE_ENDPOINT && e.QUEUE_TOKEN
        ? {
            endpoint: e.QUEUE_ENDPOINT.replace(/\/+$/, ""),
            token: e.QUEUE_TOKEN,
            batchSize: e.QUEUE_PULL_BATCH_SIZE,
            visibilityTimeoutMs: e.QUEUE_VISIBILITY_TIMEOUT_MS,
            pollIntervalMs: e.QUEUE_POLL_INTERVAL_MS,
          }
        : null,
    shutdownGraceSec: e.SHUTDOWN_GRACE_SEC,
    runpod: {
      getJobUrl: e.RUNPOD_WEBHOOK_GET_JOB ?? null,
      postOutputUrl: e.RUNPOD_WEBHOOK_POST_OUTPUT ?? null,
      pingUrl: e.RUNPOD_WEBHOOK_PING ?? null,
      pingIntervalMs: e.RUNPOD_PING_INTERVAL,
      apiKey: e.RUNPOD_AI_API_KEY ?? null,
      // As the Python runtime: a random id when Runpod did not name the pod.
      podId: e.RUNPOD_POD_ID ?? randomUUID(),
    },
  };
}
