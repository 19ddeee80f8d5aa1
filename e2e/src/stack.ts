// The system under test: a Worker (wrangler dev with its own port and state folder, started
// here) and GPU worker containers (the cpu image) on the host network, so they reach the
// Worker at 127.0.0.1 — the only Host wrangler's local R2 S3 endpoint accepts, and the one
// the presigned URLs and callback URLs are signed for.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import {
  API_HOST,
  ensureDevVars,
  gpuWorkerEnv,
  startApi,
  WORKER_DIR,
  WRANGLER,
  WRANGLER_ENV,
  type Service,
} from "@s3/scripts/stack";

// E2E_GPU_IMAGE: another tag, so runs from several checkouts on one Docker engine do not retag each other.
export const GPU_WORKER_IMAGE = process.env.E2E_GPU_IMAGE ?? "s3-gpu-worker:cpu";
const docker = new Docker();

export interface WorkerOptions {
  port: number;
  /** Worker vars over wrangler.jsonc's. */
  vars?: Record<string, string>;
}

/** A Worker under test; `restart()` keeps its state folder, as a restarted dev stack does. */
export class TestWorker {
  readonly url: string;
  readonly persistTo = mkdtempSync(path.join(tmpdir(), "s3-e2e-"));
  readonly secrets = ensureDevVars();
  private api: Service | null = null;

  constructor(private readonly options: WorkerOptions) {
    this.url = `http://${API_HOST}:${options.port}`;
  }

  async start(): Promise<void> {
    this.api = await startApi({
      port: this.options.port,
      persistTo: this.persistTo,
      vars: this.options.vars,
      quiet: !process.env.E2E_VERBOSE,
      name: "e2e-api",
    });
  }

  async stop(): Promise<void> {
    await this.api?.stop();
    this.api = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.persistTo, { recursive: true, force: true });
  }

  /** Rows of the Worker's local D1 (its durable history), read with wrangler. */
  d1<T = Record<string, unknown>>(sql: string): T[] {
    const result = spawnSync(
      process.execPath,
      [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", this.persistTo, "--json", "--command", sql],
      {
        cwd: WORKER_DIR,
        env: WRANGLER_ENV,
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    if (result.status !== 0) throw new Error(`d1 query failed: ${result.stderr || result.stdout}`);
    const parsed = JSON.parse(result.stdout) as { results: T[] }[];
    return parsed[0]?.results ?? [];
  }
}

/** One GPU worker container, its log lines kept for counting what it processed. */
export class GpuWorkerContainer {
  readonly lines: string[] = [];
  private container: StartedTestContainer | null = null;

  constructor(
    private readonly worker: TestWorker,
    private readonly healthPort: number,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<this> {
    this.container = await new GenericContainer(GPU_WORKER_IMAGE)
      .withNetworkMode("host")
      .withEnvironment({
        // queue_pull by default; ADAPTER=http in `env` makes it serve POST /jobs on the same port.
        ...gpuWorkerEnv(this.worker.url, this.healthPort),
        // A killed worker's message comes back within seconds, not the default 15 minutes.
        QUEUE_VISIBILITY_TIMEOUT_MS: "4000",
        SHUTDOWN_GRACE_SEC: "2",
        ...this.env,
      })
      .withLogConsumer((stream) => {
        let pending = "";
        stream.on("data", (chunk: Buffer | string) => {
          pending += chunk.toString();
          const parts = pending.split("\n");
          pending = parts.pop() ?? "";
          this.lines.push(...parts.filter((line) => line.trim()));
        });
      })
      .withWaitStrategy(Wait.forLogMessage("gpu worker ready"))
      .withStartupTimeout(60_000)
      .start();
    return this;
  }

  /** SIGKILL: no grace, no acks, no releases — as a crashed host. */
  async kill(): Promise<void> {
    if (!this.container) return;
    await docker.getContainer(this.container.getId()).kill({ signal: "SIGKILL" });
    await this.container.stop({ timeout: 0 }).catch(() => {});
    this.container = null;
  }

  async stop(): Promise<void> {
    await this.container?.stop({ timeout: 5_000 });
    this.container = null;
  }

  /** The container's GET /health: its segmenter, what is in flight, and the mask cache's counters. */
  async health(): Promise<{ segmenter: string; segmenter_calls: number; cache_hits: number; cache_misses: number }> {
    const response = await fetch(`http://127.0.0.1:${this.healthPort}/health`, { signal: AbortSignal.timeout(5_000) });
    return (await response.json()) as Awaited<ReturnType<GpuWorkerContainer["health"]>>;
  }

  /** idx → how many times this container finished the item ("item done" log lines). */
  itemsDone(jobId: string): Map<number, number> {
    const counts = new Map<number, number>();
    for (const line of this.lines) {
      let entry: { msg?: string; job_id?: string; idx?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (entry.msg === "item done" && entry.job_id === jobId && typeof entry.idx === "number")
        counts.set(entry.idx, (counts.get(entry.idx) ?? 0) + 1);
    }
    return counts;
  }
}

/** Sums several containers' counts. */
export function processedCounts(jobId: string, containers: GpuWorkerContainer[]): Map<number, number> {
  const total = new Map<number, number>();
  for (const container of containers)
    for (const [idx, n] of container.itemsDone(jobId)) total.set(idx, (total.get(idx) ?? 0) + n);
  return total;
}
