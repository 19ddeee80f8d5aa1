// Picks the segmenter by config. The onnx module is imported lazily so the cpu path never
// loads onnxruntime; sim is a benchmark stand-in for measurement only.
import type { Logger } from "pino";
import type { Config } from "../../config";
import { createCpuSegmenter } from "./cpu";
import type { SimSegmenterOptions } from "./sim";
import type { Segmenter } from "./types";

export type { ConceptMasks, Instance, JobSegmenter, Segmenter, SegmenterHealth, SegmenterReport } from "./types";

export async function createSegmenter(
  config: Pick<Config, "segmenter" | "modelCacheDir" | "onnxProvider"> &
    Partial<Pick<Config, "onnxAllowCpuFallback">> & { sim: SimSegmenterOptions },
  logger: Logger,
): Promise<Segmenter> {
  if (config.segmenter === "onnx") {
    const { createOnnxSegmenter } = await import("./onnx/index");
    return createOnnxSegmenter({
      modelDir: config.modelCacheDir,
      provider: config.onnxProvider,
      allowCpuFallback: config.onnxAllowCpuFallback,
      logger: logger.child({ component: "segmenter" }),
    });
  }
  if (config.segmenter === "sim") {
    const { createSimSegmenter } = await import("./sim");
    const segmenter = createSimSegmenter(config.sim);
    logger.warn(
      {
        segmenter: segmenter.name,
        sim_image_ms: config.sim.imageMs,
        sim_concept_ms: config.sim.conceptMs,
        sim_mode: config.sim.mode ?? "timer",
      },
      "using the sim segmenter: a benchmark stand-in for measurement only, it segments nothing",
    );
    return segmenter;
  }
  const segmenter = createCpuSegmenter();
  logger.info({ segmenter: segmenter.name }, "using the cpu segmenter, the local stand-in for SAM 3");
  return segmenter;
}
