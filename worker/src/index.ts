// The Worker's entry: the HTTP app, the queue handler and the Durable Object classes
// wrangler binds by name.
import { app } from "./app";
import type { QueueMessage } from "./contract";
import type { Env } from "./env";

export { JobCoordinator } from "./durable-objects/job-coordinator";
export { UserLimiter } from "./durable-objects/user-limiter";

export default {
  fetch: app.fetch,
  // PLACEHOLDER until the local-stack issue adds the GPU bridge: acknowledge and drop.
  async queue(batch) {
    batch.ackAll();
  },
} satisfies ExportedHandler<Env, QueueMessage>;
