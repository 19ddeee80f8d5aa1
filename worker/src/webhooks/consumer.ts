// The webhooks queue's consumer (docs/webhooks.md): attempts each delivery once, asks the JobCoordinator
// what the answer means, and re-sends the task with the backoff's delay. The dead-letter consumer fails
// a delivery whose handling kept throwing, so none stays pending for ever.
import type { WebhookTask } from "@s3/contract";
import { configOf } from "../config";
import { jobCoordinator, userLimiter } from "../lib/durable";
import { deliver } from "./deliver";

/** Cloudflare Queues delay a message by at most 12 h; a longer backoff is waited out in steps. */
const MAX_QUEUE_DELAY_SEC = 12 * 60 * 60;

/** Signing secrets by user, read once per batch. */
type SecretsOf = (userId: string) => Promise<string[]>;

async function attemptOne(task: WebhookTask, env: Env, secretsOf: SecretsOf): Promise<void> {
  const job = jobCoordinator(env, task.job_id);
  const attempt = await job.webhookAttempt(task.webhook_id);
  if (!attempt) return;
  const waitSec = Math.ceil((attempt.not_before_ms - Date.now()) / 1000);
  if (waitSec > 1) {
    await env.WEBHOOKS.send(task, { delaySeconds: Math.min(waitSec, MAX_QUEUE_DELAY_SEC) });
    return;
  }
  const secrets = await secretsOf(attempt.user_id);
  const status = await deliver({
    webhookId: task.webhook_id,
    url: attempt.url,
    body: attempt.body,
    secrets,
    allowLoopback: configOf(env).webhooks.allowLoopback,
  });
  const { retry_in_sec } = await job.recordWebhookAttempt(task.webhook_id, status);
  if (retry_in_sec !== null) {
    await env.WEBHOOKS.send(task, { delaySeconds: Math.min(retry_in_sec, MAX_QUEUE_DELAY_SEC) });
  }
}

export async function deliverWebhooks(batch: MessageBatch<WebhookTask>, env: Env): Promise<void> {
  const secrets = new Map<string, Promise<string[]>>();
  const secretsOf: SecretsOf = (userId) => {
    let found = secrets.get(userId);
    if (!found) {
      found = userLimiter(env, userId).webhookSigningSecrets();
      secrets.set(userId, found);
    }
    return found;
  };
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await attemptOne(message.body, env, secretsOf);
        message.ack();
      } catch (error) {
        console.error(`webhook ${message.body.webhook_id} not attempted (try ${message.attempts}): ${String(error)}`);
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }),
  );
}

export async function failDeadWebhooks(batch: MessageBatch<WebhookTask>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    await jobCoordinator(env, message.body.job_id).failWebhook(message.body.webhook_id);
    message.ack();
  }
}
