import { execFileSync } from "node:child_process";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  // wrangler.jsonc's `assets` folder must exist before the pool reads the config; the pool runs no build.command.
  execFileSync(process.execPath, [path.join(import.meta.dirname, "console/build.mjs")], { stdio: "inherit" });
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "../migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: "test-jwt-secret-at-least-32-bytes-long!!",
            GPU_CALLBACK_SECRET: "test-gpu-callback-secret-at-least-32-chars",
            STORAGE_ACCESS_KEY: "local-dev-access-key",
            STORAGE_SECRET_KEY: "local-dev-secret-key",
            ADMIN_SECRET: "test-admin-secret-at-least-32-characters",
            QUEUE_TOKEN: "test-queue-token-at-least-32-characters!",
            // GPU_DISPATCH=runpod tests mock fetch; this base keeps any unmocked call off the real API.
            RUNPOD_API_BASE: "https://runpod.test/v2",
            RUNPOD_ENDPOINT_ID: "test-endpoint",
            RUNPOD_API_KEY: "test-runpod-key",
            // Webhook retries a thousand times sooner (docs/webhooks.md): 5 s → 0 s, 24 h → 86 s.
            WEBHOOK_BACKOFF_SCALE: "0.001",
          },
        },
      }),
    ],
    test: { setupFiles: ["./test/apply-migrations.ts"], include: ["test/**/*.test.ts"] },
  };
});
