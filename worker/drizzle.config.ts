// `npm run db:generate -w worker` writes SQL migrations that wrangler applies
// (`wrangler d1 migrations apply DB`) and the test harness replays (test/apply-migrations.ts).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "../migrations",
});
