// The onnx segmenter: SAM 3 exported as three ONNX graphs (image encoder, text encoder, mask
// decoder) run by onnxruntime-node, or a one-graph probability-map model (architecture
// "mask-map"). The sessions live on the segmenter thread (engine.ts); this side resizes each
// photo with libvips (off the event loop) and moves the small result there. Start-up proves the
// model (docs/gpu-worker.md): model.json's tensors and checksums, then one warm-up photo. The
// I/O contract is in gpu-worker/README.md ("ONNX segmenter (SAM 3)").
import type { RgbImage } from "@s3/contract";
import { startSegmenterThread } from "../thread-client";
import type { ConceptMasks, JobSegmenter, PhotoHints, Segmenter } from "../types";
import { boxPrompts } from "./hints";
import type { EngineInfo, OnnxStats } from "./engine";
import { conceptPrompt } from "./manifest";
import { resizeForModel } from "./preprocess";
import { emptyStats } from "./stats";

export { ClipTokenizer } from "./tokenizer";
export { conceptPrompt } from "./manifest";
export type { OnnxStats, StageStats } from "./engine";

export interface SegmenterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface OnnxSegmenterOptions {
  modelDir: string;
  provider: "cuda" | "cpu";
  /** ONNX_ALLOW_CPU_FALLBACK: with provider cuda, run on CPU when CUDA does not load (logged). */
  allowCpuFallback?: boolean;
  logger?: SegmenterLogger;
}

export interface OnnxSegmenter extends Segmenter {
  /** The execution provider the sessions actually run on. */
  readonly provider: "cuda" | "cpu";
  readonly modelVersion: string;
  readonly stats: OnnxStats;
  /** The decoder runs once per photo for all its concepts (the export has a batch axis for prompts). */
  readonly batchedDecoder: boolean;
  /** Only the candidates over the score threshold leave the decoder (the export's kept_* outputs). */
  readonly keptOnDevice: boolean;
}

/** A small generated photo (grey, a bright and a dark block) for the warm-up segment. */
function warmUpPhoto(): RgbImage {
  const [width, height] = [96, 64];
  const data = new Uint8Array(width * height * 3).fill(128);
  for (let y = 8; y < 40; y++) {
    data.fill(255, (y * width + 8) * 3, (y * width + 40) * 3);
    data.fill(0, (y * width + 56) * 3, (y * width + 88) * 3);
  }
  return { width, height, data };
}

export async function createOnnxSegmenter(options: OnnxSegmenterOptions): Promise<OnnxSegmenter> {
  const { modelDir, logger } = options;
  const thread = startSegmenterThread();
  let info: EngineInfo;
  try {
    ({ value: info } = await thread.call<EngineInfo>({
      kind: "open-onnx",
      options: { modelDir, provider: options.provider, allowCpuFallback: options.allowCpuFallback ?? false },
    }));
  } catch (error) {
    await thread.terminate();
    throw error;
  }
  if (info.fallback)
    logger?.warn(
      { err: info.fallback, modelDir },
      "CUDA execution provider unavailable; ONNX_ALLOW_CPU_FALLBACK=true, so the model runs on CPU (much slower)",
    );

  const threadStats = emptyStats();
  /** Resizing happens here, on libvips' threads: counted into preprocess beside the thread's normalising. */
  const resize = { runs: 0, ms: 0 };
  const track = (stats: unknown) => {
    if (stats) Object.assign(threadStats, stats as OnnxStats);
  };
  const jobs = new FinalizationRegistry<number>((job) => void thread.call({ kind: "drop", job }).catch(() => {}));

  async function forJob(concepts: readonly string[]): Promise<JobSegmenter> {
    const { value: job, stats } = await thread.call<number>({ kind: "prepare", concepts });
    track(stats);
    const segmenter: JobSegmenter = {
      async segment(image: RgbImage, hints?: PhotoHints): Promise<ConceptMasks> {
        const started = performance.now();
        const { pixels, geometry } = await resizeForModel(image, info.manifest);
        resize.runs++;
        resize.ms += performance.now() - started;
        const prompts = Object.fromEntries(
          Object.entries(hints ?? {}).map(([concept, hint]) => [
            concept,
            boxPrompts(hint, image.width, image.height, geometry),
          ]),
        );
        const input = { pixels, geometry, width: image.width, height: image.height, prompts };
        const reply = await thread.call<ConceptMasks>({ kind: "segment", job, input }, [pixels.buffer as ArrayBuffer]);
        track(reply.stats);
        return reply.value;
      },
    };
    jobs.register(segmenter, job);
    return segmenter;
  }

  const segmenter: OnnxSegmenter = {
    name: info.name,
    provider: info.provider,
    modelVersion: info.modelVersion,
    batchedDecoder: info.batchedDecoder,
    keptOnDevice: info.keptOnDevice,
    health: { segmenter: info.name, provider: info.provider, model_version: info.modelVersion },
    report: { segmenter: `sam3@${info.modelVersion}`.slice(0, 200), scores: true },
    get stats(): OnnxStats {
      return {
        ...threadStats,
        preprocess: { runs: threadStats.preprocess.runs, ms: threadStats.preprocess.ms + resize.ms },
      };
    },
    forJob,
    // The noun phrase the text encoder is given: part of the mask cache key.
    prompt: (concept) => conceptPrompt(concept, info.manifest),
    async close() {
      await thread.call({ kind: "close" }).catch(() => {});
      await thread.terminate();
    },
  };

  // One warm-up photo through every graph: a graph that loads but cannot run stops the start here.
  try {
    const started = performance.now();
    await (await forJob(info.warmUpConcepts)).segment(warmUpPhoto());
    logger?.info(
      { modelDir, provider: info.provider, model_version: info.modelVersion, warm_up_ms: performance.now() - started },
      `segmenter ready: ${info.name}`,
    );
  } catch (error) {
    await segmenter.close();
    throw new Error(`the model's warm-up segment failed: ${(error as Error).message}`, { cause: error });
  }
  return segmenter;
}
