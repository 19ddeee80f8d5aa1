// A pipeline stand-in for adapter tests: records jobs, finishes them when told to.
import type { QueueMessage } from "@s3/contract";
import type { JobOutcome, Pipeline } from "../../src/engine/pipeline";
import type { SegmentCounts } from "../../src/engine/segment-step";

export interface FakePipeline extends Pipeline {
  /** What /health reports; a test sets it. */
  segmentCounts: SegmentCounts;
  started: QueueMessage[];
  /** Finish the oldest unfinished job, complete or not. */
  finish(complete: boolean): void;
  stopped: boolean;
}

export function fakePipeline(): FakePipeline {
  const pending: { message: QueueMessage; resolve: (outcome: JobOutcome) => void }[] = [];
  const fake = {
    started: [] as QueueMessage[],
    stopped: false,
    runJob(message: QueueMessage) {
      fake.started.push(message);
      return new Promise<JobOutcome>((resolve) => pending.push({ message, resolve }));
    },
    finish(complete: boolean) {
      const next = pending.shift();
      if (!next) throw new Error("no job to finish");
      const total = next.message.items.length;
      next.resolve({
        job_id: next.message.job_id,
        total,
        done: complete ? total : 0,
        failed: 0,
        unreported: complete ? 0 : total,
        complete,
      });
    },
    stop() {
      fake.stopped = true;
    },
    get activeJobs() {
      return pending.length;
    },
    get activeItems() {
      return pending.length;
    },
    segmentCounts: { segmenter_calls: 0, cache_hits: 0, cache_misses: 0 },
  };
  return fake;
}
