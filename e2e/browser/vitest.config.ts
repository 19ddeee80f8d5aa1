import { defineConfig } from "vitest/config";

// The browser test of the web console: `npm run test:browser --workspace e2e` (not part of npm test yet).
export default defineConfig({
  test: {
    environment: "node",
    include: ["browser/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
