// Picks the segmenter by config. The onnx module is imported lazily so the cpu path never
// loads onnxruntime.
import type { Logger } from "pino";
import type { Config } from "../../config";
import { createCpuSegmenter } from "./cpu";
import type { Segmenter } from "./types";

export type { ConceptMasks, Instance, JobSegmenter, Segmenter } from "./types";

export async function createSegmenter(
  config: Pick<Config, "segmenter" | "modelCacheDir" | "onnxProvider">,
  logger: Logger,
): Promise<Segmenter> {
  if (config.segmenter === "onnx") {
    const { createOnnxSegmenter } = await import("./onnx/index");
    return createOnnxSegmenter({
      modelDir: config.modelCacheDir,
      provider: config.onnxProvider,
      logger: logger.child({ component: "segmenter" }),
    });
  }
  const segmenter = createCpuSegmenter();
  logger.info({ segmenter: segmenter.name }, "using the cpu segmenter, the local stand-in for SAM 3");
  return segmenter;
}
