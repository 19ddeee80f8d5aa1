// The Worker under `wrangler dev`: local D1 migrations, then the server, ready once /health answers.
import { spawnSync } from "node:child_process";
import { ensureDevVars } from "./dev-vars";
import { waitForHealth } from "./health";
import { API_HOST, API_PORT, WORKER_DIR, WRANGLER, WRANGLER_ENV } from "./paths";
import { log, startService, type Service } from "./services";

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
