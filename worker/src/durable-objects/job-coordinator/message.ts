// The one queue message (docs/messages.md) the JobCoordinator sends for a job: at execute, and again
// with the unfinished items at a lease's re-send.
import type { QueueMessage, RuleAction } from "@s3/contract";
import type { Config } from "../../config";
import type { ItemRow, JobRow, JobStore } from "./store";

export function queueMessageOf(store: JobStore, config: Config, job: JobRow, items: readonly ItemRow[]): QueueMessage {
  const pins = store.inputPins();
  const hints = store.album.hints();
  const message: QueueMessage = {
    job_id: job.job_id,
    user_id: job.user_id,
    preset: job.preset,
    concepts: JSON.parse(job.concepts_json) as Record<string, RuleAction>,
    protect: JSON.parse(job.protect_json) as string[],
    items: items.map(({ idx, input_key, output_key, preview_key }) => ({
      idx,
      input_key,
      output_key,
      preview_key,
      ...pins.get(idx),
      ...(hints.has(idx) && { hints: hints.get(idx) }),
    })),
    callback_url: `${config.publicBaseUrl}/jobs/${job.job_id}/callback`,
    idempotency_prefix: job.job_id,
    batch_concurrency: config.jobs.batchConcurrency,
    watermark: job.watermark === 1,
    locale: store.locale(),
    attempt: job.attempt,
    output_format: store.album.outputFormat(),
  };
  if (job.output_template !== null) message.output_template = job.output_template;
  const variants = store.variants();
  if (variants.length > 0) message.variants = variants;
  return message;
}

/** A scan's segment-only message (docs/messages.md, Scan): every photo, no rule, the scan's concepts. */
export function scanMessageOf(
  store: JobStore,
  config: Config,
  job: JobRow,
  scan: { id: number; concepts: string[]; protect: string[] },
): QueueMessage {
  const message = queueMessageOf(store, config, job, store.items());
  return {
    ...message,
    concepts: {},
    protect: scan.protect,
    idempotency_prefix: job.job_id,
    scan: { id: scan.id, concepts: scan.concepts },
  };
}
