// Where the local stack lives: the repository's folders, wrangler's entry, hosts and ports.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file sits in scripts/stack/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
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
