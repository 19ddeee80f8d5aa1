// `queue_pull` adapter: Cloudflare Queues' HTTP pull consumer. Pulls only while it has
// free job slots (batch_size = free slots), acks a message once every item of its job
// was reported, retries it otherwise (and when it is not a valid queue message, so it
// ends in the dead-letter queue after the queue's max_retries).
//   POST {QUEUE_ENDPOINT}/messages/pull {batch_size, visibility_timeout_ms}
//   POST {QUEUE_ENDPOINT}/messages/ack  {acks:[{lease_id}], retries:[{lease_id, delay_seconds}]}
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import {
  queueMessageSchema,
  type AckRequest,
  type PulledMessage,
  type PullRequest,
  type PullResult,
} from "@s3/contract";
import type { Pipeline } from "../engine/pipeline";
import { backoffMs, DEFAULT_RETRY } from "../engine/retry";
import { createTakeLoop } from "./take-loop";
import type { Adapter } from "./types";

export interface QueuePullOptions {
  pipeline: Pipeline;
  /** The queue's base URL: …/accounts/{account_id}/queues/{queue_id}. */
  endpoint: string;
  token: string;
  /** Jobs (messages) held at once. */
  capacity: number;
  /** Most messages asked for in one pull. */
  batchSize: number;
  visibilityTimeoutMs: number;
  pollIntervalMs: number;
  logger: Logger;
  /** Delay before a failed message is delivered again. */
  retryDelaySeconds?: number;
}

/** A message body arrives as a JSON string (json content type), base64 of JSON, or an object. */
export function decodeBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return JSON.parse(Buffer.from(body, "base64").toString("utf8"));
  }
}

export function createQueuePullAdapter(options: QueuePullOptions): Adapter {
  const { pipeline, logger, capacity } = options;
  let loop: Promise<void> | null = null;

  async function call(path: "pull" | "ack", body: PullRequest | AckRequest): Promise<unknown> {
    const response = await fetch(`${options.endpoint}/messages/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${options.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await response.json().catch(() => null)) as { success?: boolean } | null;
    if (!response.ok || !json?.success) throw new Error(`queue ${path} answered ${response.status}`);
    return json;
  }

  async function settle(message: PulledMessage, outcome: "ack" | "retry"): Promise<void> {
    const body: AckRequest =
      outcome === "ack"
        ? { acks: [{ lease_id: message.lease_id }], retries: [] }
        : { acks: [], retries: [{ lease_id: message.lease_id, delay_seconds: options.retryDelaySeconds ?? 10 }] };
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await call("ack", body);
        return;
      } catch (error) {
        logger.warn({ message_id: message.id, outcome, attempt, err: String(error) }, "queue ack failed");
        await sleep(backoffMs(DEFAULT_RETRY, attempt));
      }
    }
    // The lease runs out and the queue delivers the message again; jobs tolerate that.
    logger.error({ message_id: message.id, outcome }, "queue ack never succeeded");
  }

  async function handle(message: PulledMessage): Promise<void> {
    let parsed;
    try {
      parsed = queueMessageSchema.safeParse(decodeBody(message.body));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      logger.error(
        { message_id: message.id, issues: parsed?.error.issues.slice(0, 5) },
        "not a queue message; retried towards the dead-letter queue",
      );
      return settle(message, "retry");
    }
    try {
      const outcome = await pipeline.runJob(parsed.data);
      await settle(message, outcome.complete ? "ack" : "retry");
    } catch (error) {
      logger.error({ job_id: parsed.data.job_id, err: String(error) }, "job crashed");
      await settle(message, "retry");
    }
  }

  const takes = createTakeLoop<PulledMessage>({
    capacity,
    pollIntervalMs: options.pollIntervalMs,
    async take(free) {
      const json = (await call("pull", {
        batch_size: Math.min(free, options.batchSize),
        visibility_timeout_ms: options.visibilityTimeoutMs,
      })) as {
        result?: Partial<PullResult>;
      };
      return json.result?.messages ?? [];
    },
    work: handle,
    onTakeFailed: (error, failures) => logger.warn({ err: String(error), failures }, "queue pull failed"),
  });

  return {
    async start() {
      logger.info({ endpoint: options.endpoint, capacity }, "queue_pull adapter started");
      loop = takes.run();
    },
    async stop(graceMs) {
      takes.stop();
      pipeline.stop();
      await loop;
      // Jobs in flight finish their started items, then ack or retry their message.
      await takes.drain(new Promise((resolve) => setTimeout(resolve, graceMs).unref()));
      if (takes.held.size > 0) {
        logger.warn({ messages: takes.held.size }, "grace period over; releasing unfinished messages to the queue");
        const release = (message: PulledMessage) =>
          call("ack", { acks: [], retries: [{ lease_id: message.lease_id, delay_seconds: 0 }] }).catch(() => {});
        await Promise.all([...takes.held.keys()].map(release));
      }
    },
  };
}
