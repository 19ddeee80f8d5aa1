// Reads config, builds the engine, starts the adapter the config names (main.ts calls it; a benchmark's
// entry may pass its own segmenter and item stage, bench/pass-through-worker.ts).
import { createServer, type Server } from "node:http";
import pino from "pino";
import type { Adapter } from "./adapters/types";
import { ConfigError, loadConfig, type AdapterName, type Config } from "./config";
import { PIXEL_KERNEL } from "./engine/apply";
import { createCallbackSender } from "./engine/callback";
import { createRenderPool, inlineRenderPool } from "./engine/render-pool";
import { createPipeline, type ItemStage, type Pipeline } from "./engine/pipeline";
import { createSegmenter, type Segmenter } from "./engine/segmenter/index";
import { createStorage } from "./engine/storage";

type AdapterFactory = (
  config: Config,
  pipeline: Pipeline,
  segmenterName: string,
  logger: pino.Logger,
  segmenterDetails?: SegmenterDetails,
) => Promise<Adapter>;

/** What /health says of the segmenter beside its name: the execution provider in use and the model version. */
type SegmenterDetails = { provider: string; model_version: string | null };

function segmenterDetails(segmenter: Segmenter): SegmenterDetails {
  return { provider: segmenter.health?.provider ?? "unknown", model_version: segmenter.health?.model_version ?? null };
}

/** One entry per platform; the engine is the same for all of them. */
const ADAPTER_FACTORIES: Record<AdapterName, AdapterFactory> = {
  http: async (config, pipeline, segmenterName, logger, details) => {
    const { createHttpAdapter } = await import("./adapters/http");
    return createHttpAdapter({
      pipeline,
      segmenterName,
      segmenterDetails: details,
      port: config.port,
      capacity: config.maxJobs,
      logger,
      token: config.httpToken!,
    });
  },
  queue_pull: async (config, pipeline, _segmenterName, logger) => {
    const { createQueuePullAdapter } = await import("./adapters/queue-pull");
    const queue = config.queue!;
    return createQueuePullAdapter({
      pipeline,
      endpoint: queue.endpoint,
      token: queue.token,
      capacity: config.maxJobs,
      batchSize: queue.batchSize,
      visibilityTimeoutMs: queue.visibilityTimeoutMs,
      pollIntervalMs: queue.pollIntervalMs,
      logger,
    });
  },
  runpod: async (config, pipeline, _segmenterName, logger) => {
    const { createRunpodAdapter } = await import("./adapters/runpod");
    return createRunpodAdapter({
      ...config.runpod,
      pipeline,
      capacity: config.maxJobs,
      logger,
      // Local test mode (--test_input / test_input.json): one job, then exit with its verdict.
      onLocalTestDone: (exitCode) => process.exit(exitCode),
    });
  },
};

/** GET /health on PORT for adapters that serve no HTTP of their own (queue_pull, and runpod
 *  when serving Runpod rather than its one-job test mode), so a container HEALTHCHECK and
 *  `npm run dev` see the worker itself, not just its queue. */
async function startHealthServer(
  config: Config,
  pipeline: Pipeline,
  segmenterName: string,
  details: SegmenterDetails,
  isStopping: () => boolean,
): Promise<Server> {
  const server = createServer((request, response) => {
    const healthy = request.method === "GET" && request.url === "/health";
    response.writeHead(healthy ? (isStopping() ? 503 : 200) : 404, { "Content-Type": "application/json" });
    response.end(
      JSON.stringify(
        healthy
          ? {
              ok: !isStopping(),
              adapter: config.adapter,
              segmenter: segmenterName,
              ...details,
              in_flight: pipeline.activeJobs,
              capacity: config.maxJobs,
              items_in_flight: pipeline.activeItems,
              ...pipeline.segmentCounts,
            }
          : { error: "not found" },
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, "0.0.0.0", resolve);
  });
  return server;
}

/** What a benchmark's entry puts in place of the configured parts; production passes nothing. */
export interface WorkerParts {
  segmenter?: (config: Config, logger: pino.Logger) => Promise<Segmenter>;
  itemStage?: ItemStage;
}

export async function startWorker(parts: WorkerParts = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gpu-worker: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: "gpu-worker" } });
  let segmenter: Segmenter;
  try {
    segmenter = await (parts.segmenter ?? createSegmenter)(config, logger);
  } catch (error) {
    // A wrong export, a bad checksum, CUDA that did not load: the reason, then a non-zero exit.
    logger.fatal({ err: error }, `the segmenter did not start: ${(error as Error).message}`);
    process.stderr.write(`gpu-worker: the segmenter did not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const renderPool = config.renderThreads > 0 ? createRenderPool(config.renderThreads) : inlineRenderPool();
  // Every pool thread loads now: one that cannot fails the worker's start, not each photo.
  try {
    await renderPool.ready();
  } catch (error) {
    logger.fatal({ err: error }, "the render pool could not start");
    process.stderr.write(`gpu-worker: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  // libuv's pool runs every libvips call of every render thread plus decodes: it must be set before start.
  const uvThreads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  if (uvThreads < renderPool.threads + 2)
    logger.warn(
      { uv_threadpool_size: uvThreads, render_threads: renderPool.threads },
      `UV_THREADPOOL_SIZE is under RENDER_THREADS + 2 (${renderPool.threads + 2}): ` +
        "encodes will queue behind each other",
    );
  const pipeline = createPipeline({
    storage: createStorage(config.storage),
    segmenter,
    callbacks: createCallbackSender({
      secret: config.callbackSecret,
      origin: config.callbackOrigin,
      timeoutSec: config.callbackTimeoutSec,
      logger,
    }),
    logger,
    batchConcurrency: config.batchConcurrency,
    maxInputPixels: config.maxInputPixels,
    maxUploadBytes: config.maxUploadBytes,
    ...(parts.itemStage ? { itemStage: parts.itemStage } : {}),
    renderPool,
    maxPixelsInFlight: config.maxPixelsInFlight,
  });
  const adapter = await ADAPTER_FACTORIES[config.adapter](
    config,
    pipeline,
    segmenter.name,
    logger.child({ adapter: config.adapter }),
    segmenterDetails(segmenter),
  );
  await adapter.start();
  let shuttingDown = false;
  const needsHealthServer =
    config.adapter === "queue_pull" || (config.adapter === "runpod" && config.runpod.getJobUrl !== null);
  const health = needsHealthServer
    ? await startHealthServer(config, pipeline, segmenter.name, segmenterDetails(segmenter), () => shuttingDown)
    : null;
  logger.info(
    {
      adapter: config.adapter,
      segmenter: segmenter.name,
      ...segmenterDetails(segmenter),
      pixel_kernel: PIXEL_KERNEL,
      batch_concurrency: config.batchConcurrency,
      max_jobs: config.maxJobs,
      render_threads: renderPool.threads,
      max_pixels_in_flight: config.maxPixelsInFlight,
    },
    "gpu worker ready",
  );

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal, grace_sec: config.shutdownGraceSec }, "stopping: no new work, finishing in-flight items");
    await adapter.stop(config.shutdownGraceSec * 1000);
    await segmenter.close();
    await renderPool.close();
    health?.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
