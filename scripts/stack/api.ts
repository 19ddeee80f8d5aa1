// The Worker under `wrangler dev`: local D1 migrations, then the server, ready once /health answers.
import { spawnSync } from "node:child_process";
import { ensureDevVars } from "./dev-vars";
import { writeLocalWranglerConfig } from "./local-wrangler-config";
import { waitForHealth } from "./health";
import { API_HOST, API_PORT, WORKER_DIR, WRANGLER, WRANGLER_ENV } from "./paths";
import { log, startService, type Service } from "./services";
import { S3_PATH, startStorageGate, storagePortFor } from "./storage-gate";

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

/** The S3 endpoint of the storage gate beside a Worker on `port`: another origin than the console's. */
export const storageEndpointFor = (port: number): string => `http://${API_HOST}:${storagePortFor(port)}${S3_PATH}`;

/** The URLs a Worker on `port` hands out: presigned storage, confirm and callback. */
export function apiVarsFor(port: number): Record<string, string> {
  return { PUBLIC_BASE_URL: `http://${API_HOST}:${port}`, STORAGE_S3_ENDPOINT: storageEndpointFor(port) };
}

/** worker/.wrangler.local.json: wrangler.jsonc with this checkout's storage keys (docs/trust.md). */
export function localWranglerConfig(): string {
  const vars = ensureDevVars();
  return writeLocalWranglerConfig(WORKER_DIR, {
    accessKeyId: vars.STORAGE_ACCESS_KEY ?? "",
    secretAccessKey: vars.STORAGE_SECRET_KEY ?? "",
  });
}

/** The storage gate for a Worker on `port`, closed when `api` exits. */
export async function startStorageGateFor(port: number, api: { exited: Promise<unknown> }): Promise<void> {
  const gate = await startStorageGate(`${API_HOST}:${storagePortFor(port)}`, `${API_HOST}:${port}`);
  void api.exited.then(() => gate.close());
}

/** .dev.vars, migrations, `wrangler dev` and its storage gate; resolves once /health answers. */
export async function startApi(options: ApiOptions = {}): Promise<Service> {
  const config = localWranglerConfig();
  const port = options.port ?? API_PORT;
  applyMigrations(options.persistTo);
  const vars = { ...(port === API_PORT ? {} : apiVarsFor(port)), ...options.vars };
  const args = [WRANGLER, "dev", "--config", config, "--ip", API_HOST, "--port", String(port)];
  args.push("--show-interactive-dev-session=false");
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
    await startStorageGateFor(port, api);
    await waitForHealth(api, `http://${API_HOST}:${port}`);
  } catch (error) {
    await api.stop();
    throw error;
  }
  return api;
}
