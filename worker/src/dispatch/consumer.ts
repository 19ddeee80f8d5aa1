// The Worker's consumer of the gpu-jobs queue: hands each message to the configured
// provider (GPU_DISPATCH). With a real Cloudflare pull consumer in production
// (GPU_DISPATCH=queue) the Worker consumes nothing and this handler never runs.
import type { QueueMessage } from "@s3/contract";
import { jobCoordinator } from "../lib/durable";
import { dispatcherFor } from "./index";

export async function dispatchBatch(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  const dispatcher = dispatcherFor(env);
  for (const message of batch.messages) {
    try {
      await dispatcher.send(message.body, { id: message.id, job: jobCoordinator(env, message.body.job_id) });
      message.ack();
    } catch (error) {
      console.error(`dispatch of ${message.body.job_id} failed (attempt ${message.attempts}): ${String(error)}`);
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
