// The Worker's entry: the HTTP app, the queue handler and the Durable Object classes
// wrangler binds by name.
import { app } from "./app";
import type { QueueMessage, WebhookTask } from "@s3/contract";
import { bridgeRoutes } from "./dispatch/bridge-routes";
import { dispatchBatch } from "./dispatch/consumer";
import { deliverWebhooks, failDeadWebhooks } from "./webhooks/consumer";

export { JobCoordinator } from "./durable-objects/job-coordinator";
export { UserLimiter } from "./durable-objects/user-limiter";
export { QueueBridge } from "./dispatch/bridge";
export { SignupGate } from "./durable-objects/signup-gate";

const BRIDGE_PREFIX = "/bridge/queues/";

export default {
  // The bridge speaks Cloudflare's pull API, not S3's envelope, so it bypasses the app.
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith(BRIDGE_PREFIX)) return bridgeRoutes.fetch(request, env, ctx);
    return app.fetch(request, env, ctx);
  },
  // One handler per queue this Worker consumes (wrangler.jsonc).
  queue(batch, env) {
    if (batch.queue === "webhooks-dlq") return failDeadWebhooks(batch as MessageBatch<WebhookTask>, env);
    if (batch.queue === "webhooks") return deliverWebhooks(batch as MessageBatch<WebhookTask>, env);
    return dispatchBatch(batch as MessageBatch<QueueMessage>, env);
  },
} satisfies ExportedHandler<Env, QueueMessage | WebhookTask>;
