// The GPU worker as a process (queue_pull adapter, cpu segmenter) wired to a Worker's queue bridge.
import { ensureDevVars } from "./dev-vars";
import { waitForHealth } from "./health";
import { API_HOST, API_URL, GPU_WORKER_DIR, GPU_WORKER_PORT } from "./paths";
import { startService, type Service } from "./services";
import { storageEndpointFor } from "./api";

export interface GpuWorkerOptions {
  /** The Worker the GPU worker pulls from and stores through. */
  apiUrl?: string;
  /** Its GET /health port. */
  port?: number;
  /** Over the defaults below (e.g. BATCH_CONCURRENCY). */
  env?: Record<string, string>;
  /** The entry file, relative to gpu-worker/: src/main.ts, or a benchmark's (bench/pass-through-worker.ts). */
  entry?: string;
  quiet?: boolean;
  name?: string;
}

/** The environment of a queue_pull GPU worker wired to the Worker at `apiUrl`, with the
 *  secrets of worker/.dev.vars, so both sides agree by construction. */
export function gpuWorkerEnv(apiUrl: string, port: number): Record<string, string> {
  const secrets = ensureDevVars();
  return {
    ADAPTER: "queue_pull",
    SEGMENTER: "cpu",
    PORT: String(port),
    QUEUE_ENDPOINT: `${apiUrl}/bridge/queues/gpu-jobs`,
    QUEUE_TOKEN: secrets.QUEUE_TOKEN ?? "",
    // The storage gate beside the Worker (docs/trust.md, "Local storage").
    STORAGE_S3_ENDPOINT: storageEndpointFor(Number(new URL(apiUrl).port)),
    STORAGE_ACCESS_KEY: secrets.STORAGE_ACCESS_KEY ?? "",
    STORAGE_SECRET_KEY: secrets.STORAGE_SECRET_KEY ?? "",
    STORAGE_BUCKET: "s3-images",
    GPU_CALLBACK_SECRET: secrets.GPU_CALLBACK_SECRET ?? "",
    // The Worker's origin: the only place callbacks (and so the secret) may go.
    CALLBACK_BASE_URL: apiUrl,
    // Idle polls every 250 ms: a job starts promptly; an empty pull costs one DO call.
    QUEUE_POLL_INTERVAL_MS: "250",
    // A job held by a worker that died comes back after 2 minutes, not the default 15.
    QUEUE_VISIBILITY_TIMEOUT_MS: "120000",
    // Under the 5 s after which stop() kills: in-flight items finish, the rest is released to the bridge.
    SHUTDOWN_GRACE_SEC: "3",
    LOG_LEVEL: "info",
  };
}

/** `tsx gpu-worker/src/main.ts` (queue_pull, cpu segmenter), or another entry; resolves once its /health answers. */
export async function startGpuWorker(options: GpuWorkerOptions = {}): Promise<Service> {
  const port = options.port ?? GPU_WORKER_PORT;
  const env = { ...process.env, ...gpuWorkerEnv(options.apiUrl ?? API_URL, port), ...options.env };
  const worker = startService(
    options.name ?? "gpu",
    process.execPath,
    ["--import", "tsx", options.entry ?? "src/main.ts"],
    {
      cwd: GPU_WORKER_DIR,
      env,
      quiet: options.quiet,
    },
  );
  try {
    await waitForHealth(worker, `http://${API_HOST}:${port}`, 60_000);
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return worker;
}
