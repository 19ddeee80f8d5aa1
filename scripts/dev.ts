// `npm run dev`: the local stack. Creates worker/.dev.vars when absent, applies the D1
// migrations locally, starts `wrangler dev` on 127.0.0.1:8787 (GPU_DISPATCH=bridge) and a
// GPU worker process (queue_pull adapter, cpu segmenter) pulling from the Worker's queue
// bridge, and prints one line once both answer. Ctrl-C stops every process it started.
// State (D1, DOs incl. the bridge's messages, R2) persists in worker/.wrangler/.
// The e2e suite, the demo and the pipeline benchmark start their stacks with these helpers.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WORKER_DIR = path.join(ROOT, "worker");
export const GPU_WORKER_DIR = path.join(ROOT, "gpu-worker");
/** The GPU worker's /health port under `npm run dev` (8080, its default, is often taken). */
export const GPU_WORKER_PORT = 8790;
export const API_HOST = "127.0.0.1";
export const API_PORT = 8787;
export const API_URL = `http://${API_HOST}:${API_PORT}`;

// wrangler's package exports hide bin/, so its entry is found from its package.json.
export const WRANGLER = path.join(
  path.dirname(createRequire(path.join(WORKER_DIR, "package.json")).resolve("wrangler/package.json")),
  "bin",
  "wrangler.js",
);

/** Wrangler runs offline and quiet: no Cloudflare API lookups, no telemetry. */
export const WRANGLER_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Every service started and not yet stopped, so Ctrl-C can stop them even mid-start. */
export const running = new Set<Service>();

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop()));
}

function log(name: string, line: string): void {
  process.stdout.write(`[${name}] ${line}\n`);
}

/** Starts a process in its own process group, its output prefixed with its name. */
export function startService(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; quiet?: boolean; hide?: RegExp },
): Service {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.on("data", (chunk: Buffer) => {
      if (options.quiet) return;
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() && !options.hide?.test(line)) log(name, line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const service: Service = {
    name,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      // wrangler spawns workerd: signal the whole group, then insist if it lingers.
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(service);
  void exited.then(() => running.delete(service));
  return service;
}

function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/** Secrets local dev never copies from the example: each checkout generates its own (docs/trust.md). */
const GENERATED_SECRETS = ["JWT_SECRET", "GPU_CALLBACK_SECRET", "ADMIN_SECRET", "QUEUE_TOKEN"];
/** 48 random characters, over the 32 every service requires of a secret. */
const randomSecret = () => randomBytes(36).toString("base64url");

/** The example's `NAME=value` line, or a fresh random value for a secret. */
const devVarLine = (name: string, exampleValue: string) =>
  `${name}=${GENERATED_SECRETS.includes(name) ? randomSecret() : exampleValue}`;

/** worker/.dev.vars, created from the example when absent (secrets generated at random), and given any
 *  variable the example gained since it was created (e.g. QUEUE_TOKEN), so an old copy keeps working. */
export function ensureDevVars(): Record<string, string> {
  const devVars = path.join(WORKER_DIR, ".dev.vars");
  const examplePath = path.join(WORKER_DIR, ".dev.vars.example");
  if (!existsSync(devVars)) {
    const lines = readFileSync(examplePath, "utf8")
      .split("\n")
      .map((line) => {
        const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
        return match ? devVarLine(match[1]!, match[2]!) : line;
      });
    writeFileSync(devVars, lines.join("\n"), { mode: 0o600 });
    log("dev", "created worker/.dev.vars from worker/.dev.vars.example, with random secrets");
  }
  // A copy made before secrets had to be 32 characters holds the old short example values.
  const before = parseDotenv(readFileSync(devVars, "utf8"));
  const short = GENERATED_SECRETS.filter((name) => name in before && before[name]!.length < 32);
  if (short.length > 0) {
    const lines = readFileSync(devVars, "utf8")
      .split("\n")
      .map((line) => {
        const name = /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1];
        return name && short.includes(name) ? devVarLine(name, "") : line;
      });
    writeFileSync(devVars, lines.join("\n"), { mode: 0o600 });
    log("dev", `replaced ${short.join(", ")} in worker/.dev.vars: under 32 characters, now random`);
  }
  const example = parseDotenv(readFileSync(examplePath, "utf8"));
  const current = parseDotenv(readFileSync(devVars, "utf8"));
  const missing = Object.keys(example).filter((name) => !(name in current));
  if (missing.length > 0) {
    const lines = missing.map((name) => devVarLine(name, example[name]!));
    appendFileSync(devVars, `\n# Added by npm run dev from .dev.vars.example\n${lines.join("\n")}\n`);
    log("dev", `added ${missing.join(", ")} to worker/.dev.vars from the example`);
  }
  return { ...example, ...parseDotenv(readFileSync(devVars, "utf8")) };
}

export function applyMigrations(persistTo?: string): void {
  // CI=true makes wrangler answer its confirmation prompt itself.
  const persist = persistTo ? ["--persist-to", persistTo] : [];
  const result = spawnSync(process.execPath, [WRANGLER, "d1", "migrations", "apply", "DB", "--local", ...persist], {
    cwd: WORKER_DIR,
    env: { ...WRANGLER_ENV, CI: "true" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error("applying the D1 migrations failed");
  }
  if (!persistTo) log("dev", "D1 migrations applied (local)");
}

export async function isApiUp(url = API_URL): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function waitForHealth(service: Service, url = API_URL, timeoutMs = 120_000): Promise<void> {
  if (url.endsWith("/health")) url = url.slice(0, -"/health".length);
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${service.name} exited before ${url}/health answered`);
    if (await isApiUp(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url}/health did not answer within ${timeoutMs / 1000} s`);
}

export interface ApiOptions {
  port?: number;
  /** wrangler's state folder (default worker/.wrangler/state). */
  persistTo?: string;
  /** Worker vars over wrangler.jsonc's (e.g. a short JOB_LEASE_SEC for tests). */
  vars?: Record<string, string>;
  quiet?: boolean;
  name?: string;
}

/** The URLs a Worker on `port` hands out: presigned storage, confirm and callback. */
export function apiVarsFor(port: number): Record<string, string> {
  const url = `http://${API_HOST}:${port}`;
  return { PUBLIC_BASE_URL: url, STORAGE_S3_ENDPOINT: `${url}/cdn-cgi/local/r2/s3` };
}

/** .dev.vars, migrations, `wrangler dev`; resolves once /health answers. */
export async function startApi(options: ApiOptions = {}): Promise<Service> {
  ensureDevVars();
  const port = options.port ?? API_PORT;
  applyMigrations(options.persistTo);
  const vars = { ...(port === API_PORT ? {} : apiVarsFor(port)), ...options.vars };
  const args = [WRANGLER, "dev", "--ip", API_HOST, "--port", String(port), "--show-interactive-dev-session=false"];
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  // Inspector ports would collide between several Workers (tests, benchmarks).
  if (port !== API_PORT) args.push("--inspector-port", String(port + 10_000));
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  // The GPU worker's idle polls would drown every other line.
  const hide = /messages\/(pull|ack) 200/;
  const api = startService(options.name ?? "api", process.execPath, args, {
    cwd: WORKER_DIR,
    env: WRANGLER_ENV,
    quiet: options.quiet,
    hide,
  });
  try {
    await waitForHealth(api, `http://${API_HOST}:${port}`);
  } catch (error) {
    await api.stop();
    throw error;
  }
  return api;
}

export interface GpuWorkerOptions {
  /** The Worker the GPU worker pulls from and stores through. */
  apiUrl?: string;
  /** Its GET /health port. */
  port?: number;
  /** Over the defaults below (e.g. BENCH_PASSTHROUGH=1, BATCH_CONCURRENCY). */
  env?: Record<string, string>;
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
    STORAGE_S3_ENDPOINT: `${apiUrl}/cdn-cgi/local/r2/s3`,
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

/** `tsx gpu-worker/src/main.ts` (queue_pull, cpu segmenter); resolves once its /health answers. */
export async function startGpuWorker(options: GpuWorkerOptions = {}): Promise<Service> {
  const port = options.port ?? GPU_WORKER_PORT;
  const env = { ...process.env, ...gpuWorkerEnv(options.apiUrl ?? API_URL, port), ...options.env };
  const worker = startService(options.name ?? "gpu", process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: GPU_WORKER_DIR,
    env,
    quiet: options.quiet,
  });
  try {
    await waitForHealth(worker, `http://${API_HOST}:${port}`, 60_000);
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return worker;
}

async function main(): Promise<void> {
  if (await isApiUp()) throw new Error(`something already answers on ${API_URL}; stop it first`);
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopAll();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  const api = await startApi();
  const services = [api, await startGpuWorker()];
  for (const service of services) {
    void service.exited.then((code) => {
      if (!stopping) {
        log("dev", `${service.name} exited (${code}); stopping`);
        void shutdown(code ?? 1);
      }
    });
  }
  log(
    "dev",
    `ready: API on ${API_URL} (docs ${API_URL}/docs), GPU worker (cpu segmenter) pulling from its queue bridge; Ctrl-C stops everything`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch(async (error: unknown) => {
    process.stderr.write(`dev: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll();
    process.exit(1);
  });
}
