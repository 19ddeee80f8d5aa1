// Test-only binding set in vitest.config.ts (read by test/apply-migrations.ts).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
