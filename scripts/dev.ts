// `npm run dev`: the local stack. Creates worker/.dev.vars when absent, applies the D1
// migrations locally, starts `wrangler dev` on 127.0.0.1:8787 and prints one line when
// GET /health answers. Ctrl-C stops every process it started.
// Each process is a `Service`; further ones (the GPU worker) are added to `main()`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WORKER_DIR = path.join(ROOT, "worker");
export const API_HOST = "127.0.0.1";
export const API_PORT = 8787;
export const API_URL = `http://${API_HOST}:${API_PORT}`;

// wrangler's package exports hide bin/, so its entry is found from its package.json.
const WRANGLER = path.join(path.dirname(createRequire(path.join(WORKER_DIR, "package.json")).resolve("wrangler/package.json")), "bin", "wrangler.js");

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
export function startService(name: string, command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; quiet?: boolean }): Service {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.on("data", (chunk: Buffer) => {
      if (options.quiet) return;
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) log(name, line);
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

export function ensureDevVars(): void {
  const devVars = path.join(WORKER_DIR, ".dev.vars");
  if (existsSync(devVars)) return;
  copyFileSync(path.join(WORKER_DIR, ".dev.vars.example"), devVars);
  log("dev", "created worker/.dev.vars from worker/.dev.vars.example");
}

export function applyMigrations(): void {
  // CI=true makes wrangler answer its confirmation prompt itself.
  const result = spawnSync(process.execPath, [WRANGLER, "d1", "migrations", "apply", "DB", "--local"], {
    cwd: WORKER_DIR,
    env: { ...WRANGLER_ENV, CI: "true" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error("applying the D1 migrations failed");
  }
  log("dev", "D1 migrations applied (local)");
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

/** .dev.vars, migrations, `wrangler dev`; resolves once /health answers. */
export async function startApi(options: { quiet?: boolean } = {}): Promise<Service> {
  ensureDevVars();
  applyMigrations();
  const api = startService("api", process.execPath, [WRANGLER, "dev", "--ip", API_HOST, "--port", String(API_PORT), "--show-interactive-dev-session=false"], {
    cwd: WORKER_DIR,
    env: WRANGLER_ENV,
    quiet: options.quiet,
  });
  try {
    await waitForHealth(api);
  } catch (error) {
    await api.stop();
    throw error;
  }
  return api;
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

  const services = [await startApi()];
  for (const service of services) {
    void service.exited.then((code) => {
      if (!stopping) {
        log("dev", `${service.name} exited (${code}); stopping`);
        void shutdown(code ?? 1);
      }
    });
  }
  log("dev", `ready: API on ${API_URL} (docs ${API_URL}/docs); Ctrl-C stops everything`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch(async (error: unknown) => {
    process.stderr.write(`dev: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll();
    process.exit(1);
  });
}
