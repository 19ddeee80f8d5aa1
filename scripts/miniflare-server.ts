// The Worker on a Miniflare of its own, without `wrangler dev`'s proxy in front of it: the
// same bundle (`wrangler deploy --dry-run`), the same bindings (wrangler.jsonc through
// wrangler's unstable_getMiniflareWorkerOptions: D1, R2 with its local S3 endpoint, the
// Durable Objects, the gpu-jobs queue and its consumer), the same .dev.vars secrets and the
// same state layout as `wrangler dev --persist-to`. wrangler dev runs a proxy workerd in front
// of the user worker's, which costs the local stack about 2.5× on its request ceiling;
// production has no such proxy, so the pipeline benchmark measures the control plane here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  API_HOST,
  apiVarsFor,
  applyMigrations,
  localWranglerConfig,
  startStorageGateFor,
  WORKER_DIR,
  WRANGLER,
  WRANGLER_ENV,
  type ApiOptions,
} from "./stack";

/** The part of Miniflare this module uses; miniflare is wrangler's own copy (the version
 *  `wrangler dev` runs), not the older one the test pool brings. */
interface MiniflareInstance {
  ready: Promise<URL>;
  dispose(): Promise<void>;
}
type MiniflareClass = new (options: Record<string, unknown>) => MiniflareInstance;

const wranglerRequire = createRequire(
  createRequire(path.join(WORKER_DIR, "package.json")).resolve("wrangler/package.json"),
);

export interface DirectApi {
  url: string;
  stop(): Promise<void>;
}

/** Bundles the Worker as `wrangler deploy` would (offline) into a temporary folder. */
function bundleWorker(): { scriptPath: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-worker-bundle-"));
  const result = spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", dir], {
    cwd: WORKER_DIR,
    env: WRANGLER_ENV,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    rmSync(dir, { recursive: true, force: true });
    throw new Error("bundling the Worker failed");
  }
  return { scriptPath: path.join(dir, "index.js"), dir };
}

/** .dev.vars, migrations, the bundle, Miniflare on `port`; resolves once /health answers. */
export async function startDirectApi(options: ApiOptions & { persistTo: string }): Promise<DirectApi> {
  const config = localWranglerConfig();
  const port = options.port ?? 8797;
  applyMigrations(options.persistTo);
  const bundle = bundleWorker();
  const wrangler = (await import(wranglerRequire.resolve("wrangler"))) as typeof import("wrangler");
  const { Miniflare, convertV4MiniflareOptions } = (await import(wranglerRequire.resolve("miniflare"))) as {
    Miniflare: MiniflareClass;
    // Miniflare 5 takes a new options shape; wrangler's helper returns the v4 one.
    convertV4MiniflareOptions(options: Record<string, unknown>): Record<string, unknown>;
  };
  // Secrets from worker/.dev.vars come in with the config's vars, as under wrangler dev.
  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(config);
  // The bundle is one module, so the config's module rules have nothing to match (and v5 refuses them).
  delete (workerOptions as { modulesRules?: unknown }).modulesRules;
  const bindings = { ...(workerOptions.bindings as Record<string, unknown>), ...apiVarsFor(port), ...options.vars };
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: API_HOST,
      port,
      // The layout `wrangler dev --persist-to` and `wrangler d1 migrations apply --persist-to` use.
      resourcePersistencePath: path.join(options.persistTo, "v3"),
      resourceTmpPath: path.join(options.persistTo, "tmp"),
      logRequests: false,
      // Module paths are relative to rootPath and may not leave it: root at the bundle.
      workers: [
        {
          ...workerOptions,
          rootPath: bundle.dir,
          name: "s3-api",
          modules: true,
          scriptPath: bundle.scriptPath,
          bindings,
        },
      ],
    }),
  );
  const url = `http://${API_HOST}:${port}`;
  let disposed: () => void = () => {};
  const exited = new Promise<void>((resolve) => (disposed = resolve));
  const stop = async () => {
    await mf.dispose();
    disposed();
    rmSync(bundle.dir, { recursive: true, force: true });
  };
  try {
    await mf.ready;
    await startStorageGateFor(port, { exited });
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
    if (health.status !== 200) throw new Error(`${url}/health answered ${health.status}`);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return { url, stop };
}
