// The real pipeline (cpu segmenter, S3 storage, callback sender) wired to the in-test S3 and
// callback receiver of servers.ts, for tests that run whole jobs.
import type { Logger } from "pino";
import { createCallbackSender } from "../../src/engine/callback";
import { createPipeline, type Pipeline, type PipelineOptions } from "../../src/engine/pipeline";
import { createMaskCache } from "../../src/engine/mask-cache";
import type { RetryPolicy } from "../../src/engine/retry";
import { createCpuSegmenter } from "../../src/engine/segmenter/cpu";
import { createStorage } from "../../src/engine/storage";
import type { FakeCallbacks, FakeS3 } from "./servers";

export interface PipelineFakes {
  s3: FakeS3;
  callbacks: FakeCallbacks;
  /** The receiver's GPU_CALLBACK_SECRET. */
  secret: string;
  /** For storage and callbacks alike: short, so a failure test does not wait on backoff. */
  retry: RetryPolicy;
  logger: Logger;
}

/** Options a test may set; those it leaves undefined keep the defaults below. */
export type TestPipelineOptions = Partial<Omit<PipelineOptions, "storage" | "callbacks" | "logger" | "maskCache">> & {
  /** The mask cache in the fake S3; off by default, so a test's repeated photos are each segmented. */
  maskCache?: boolean;
};

export function pipelineAgainst(fakes: PipelineFakes, options: TestPipelineOptions = {}): Pipeline {
  const { s3, callbacks, secret, retry, logger } = fakes;
  const { maskCache, ...rest } = options;
  const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const storage = createStorage({
    endpoint: s3.endpoint,
    accessKey: "test-access",
    secretKey: "test-secret",
    bucket: s3.bucket,
    retry,
  });
  return createPipeline({
    storage,
    maskCache: maskCache ? createMaskCache(storage) : null,
    segmenter: createCpuSegmenter(),
    callbacks: createCallbackSender({
      secret,
      origin: new URL(callbacks.url("job_x")).origin,
      timeoutSec: 2,
      retry,
      logger,
    }),
    logger,
    batchConcurrency: 4,
    maxInputPixels: 50_000_000,
    maxUploadBytes: 26_214_400,
    ...given,
  });
}
