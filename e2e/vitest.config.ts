import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    // One Worker and a few containers on a 2-core machine: files and tests run one at a time.
    fileParallelism: false,
    globalSetup: ["src/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    env: {
      // No Ryuk sidecar (its image would need a registry); containers are stopped by the tests.
      TESTCONTAINERS_RYUK_DISABLED: "true",
      TESTCONTAINERS_HOST_OVERRIDE: "localhost",
    },
  },
});
