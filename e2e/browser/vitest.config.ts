import { defineConfig } from "vitest/config";

// The browser test of the web console: `npm run test:browser` (also a step of `npm test`, scripts/test.sh).
export default defineConfig({
  test: {
    environment: "node",
    include: ["browser/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Every step by name, with the reason of any that skipped itself (the set step, where the API has no sets).
    reporters: ["verbose"],
  },
});
