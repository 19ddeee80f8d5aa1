// The wrangler config local stacks run (docs/trust.md, "Local storage"): worker/wrangler.jsonc plus the
// keys of the local R2's S3 endpoint. wrangler.jsonc holds no keys, so a plain `wrangler dev` serves no
// S3 API at all; every stack signs with keys of its own (worker/.dev.vars, compose's secrets volume).
// Plain Node (no imports beyond node: and wrangler): the stack library imports it, and the compose API
// image runs it as `node local-wrangler-config.ts <worker dir>` with the keys in its environment.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** Written beside wrangler.jsonc, so the config's relative paths (main, assets, migrations) still hold. */
export const LOCAL_CONFIG_NAME = ".wrangler.local.json";

export interface StorageKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

interface RawConfig {
  r2_buckets?: { local_dev?: Record<string, unknown> }[];
}

/** Writes `<workerDir>/.wrangler.local.json` with `keys` on every bucket's local S3 endpoint; returns its path. */
export function writeLocalWranglerConfig(workerDir: string, keys: StorageKeys): string {
  if (keys.accessKeyId.length < 32 || keys.secretAccessKey.length < 32) {
    throw new Error("STORAGE_ACCESS_KEY and STORAGE_SECRET_KEY must be at least 32 characters (docs/trust.md)");
  }
  // wrangler's own JSONC reader, from wherever wrangler is installed (the repo, or the image's NODE_PATH).
  const wrangler = createRequire(path.join(workerDir, "package.json"))("wrangler") as {
    experimental_readRawConfig(args: { config: string }): { rawConfig: RawConfig };
  };
  const { rawConfig } = wrangler.experimental_readRawConfig({ config: path.join(workerDir, "wrangler.jsonc") });
  for (const bucket of rawConfig.r2_buckets ?? []) {
    bucket.local_dev = { ...bucket.local_dev, experimental_s3_credentials: keys };
  }
  const target = path.join(workerDir, LOCAL_CONFIG_NAME);
  writeFileSync(target, `${JSON.stringify(rawConfig, null, 2)}\n`, { mode: 0o600 });
  return target;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const workerDir = process.argv[2] ?? process.cwd();
  const target = writeLocalWranglerConfig(workerDir, {
    accessKeyId: process.env.STORAGE_ACCESS_KEY ?? "",
    secretAccessKey: process.env.STORAGE_SECRET_KEY ?? "",
  });
  process.stdout.write(`${target}\n`);
}
