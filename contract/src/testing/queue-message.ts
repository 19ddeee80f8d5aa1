// The one QueueMessage fixture every test package builds its jobs from.
import { storageKeys } from "../keys";
import type { QueueItem, QueueMessage } from "../messages";

/** Items 0..count-1 of a job, at the keys the Worker gives them. */
export function queueItems(userId: string, jobId: string, count: number): QueueItem[] {
  return Array.from({ length: count }, (_, idx) => ({
    idx,
    input_key: storageKeys.input(userId, jobId, idx),
    output_key: storageKeys.output(userId, jobId, idx),
    preview_key: storageKeys.preview(userId, jobId, idx),
  }));
}

/**
 * A valid first delivery: one interior photo, Wall recoloured, Grout protected, watermarked.
 * Items, callback URL and idempotency prefix follow `job_id` and `user_id`; `overrides` win.
 * The default callback URL is a closed loopback port, so a callback nobody meant to receive fails fast.
 */
export function queueMessage(overrides: Partial<QueueMessage> = {}): QueueMessage {
  const jobId = overrides.job_id ?? "job_test";
  const userId = overrides.user_id ?? "u_test";
  return {
    job_id: jobId,
    user_id: userId,
    preset: "interior",
    concepts: { Wall: { action: "recolor", value: "sage_a" } },
    protect: ["Grout"],
    items: queueItems(userId, jobId, 1),
    callback_url: `http://127.0.0.1:1/jobs/${jobId}/callback`,
    idempotency_prefix: jobId,
    batch_concurrency: 4,
    watermark: true,
    locale: "ko",
    attempt: 1,
    output_format: "png",
    ...overrides,
  };
}
