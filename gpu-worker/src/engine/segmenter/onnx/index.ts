// The onnx segmenter: SAM 3 exported as three ONNX graphs (image encoder, text encoder,
// mask decoder) run by onnxruntime-node. The photo is encoded once, each concept's text
// once per job, and the decoder runs once per photo and concept. The I/O contract is in
// gpu-worker/README.md ("ONNX segmenter (SAM 3)").
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import type { RgbImage } from "@s3/contract";
import type { ConceptMasks, JobSegmenter, Segmenter } from "../types";
import { conceptPrompt, loadManifest, loadTokenizer, requireFiles, type Manifest } from "./manifest";
import { decodeInstances, photoMapping, type DecoderResult } from "./postprocess";
import { imageToTensor } from "./preprocess";

export { ClipTokenizer } from "./tokenizer";
export { conceptPrompt } from "./manifest";

export interface SegmenterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface OnnxSegmenterOptions {
  modelDir: string;
  provider: "cuda" | "cpu";
  logger?: SegmenterLogger;
}

export interface StageStats {
  runs: number;
  ms: number;
}

/** Session runs and time per stage since start; read by the device check and tests. */
export interface OnnxStats {
  imageEncoder: StageStats;
  textEncoder: StageStats;
  maskDecoder: StageStats;
  /** Resize + normalise, and threshold + upsample, in JS. */
  preprocess: StageStats;
  postprocess: StageStats;
}

export interface OnnxSegmenter extends Segmenter {
  /** The execution provider the sessions actually run on. */
  readonly provider: "cuda" | "cpu";
  readonly stats: OnnxStats;
}

type Feeds = Record<string, ort.Tensor>;
type Sessions = {
  imageEncoder: ort.InferenceSession;
  textEncoder: ort.InferenceSession;
  maskDecoder: ort.InferenceSession;
};

/** Decoder inputs that no encoder produces, fed as "no box prompt" (SAM 3 exports with a geometry branch). */
const NO_BOX_INPUTS: Record<string, () => ort.Tensor> = {
  input_boxes: () => new ort.Tensor("float32", new Float32Array(4), [1, 1, 4]),
  // -10 marks a padding box the geometry encoder ignores.
  input_boxes_labels: () => new ort.Tensor("int64", BigInt64Array.from([-10n]), [1, 1]),
};
/** Older exports call the text inputs of the decoder prompt_*. */
const DECODER_ALIASES: Record<string, string> = { prompt_features: "text_features", prompt_mask: "text_mask" };

async function openSessions(paths: Record<keyof Sessions, string>, provider: "cuda" | "cpu"): Promise<Sessions> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: "all",
  };
  const opened: ort.InferenceSession[] = [];
  try {
    const open = async (path: string) => {
      const session = await ort.InferenceSession.create(path, options);
      opened.push(session);
      return session;
    };
    return {
      imageEncoder: await open(paths.imageEncoder),
      textEncoder: await open(paths.textEncoder),
      maskDecoder: await open(paths.maskDecoder),
    };
  } catch (error) {
    await Promise.all(opened.map((s) => s.release()));
    throw error;
  }
}

function checkContract(sessions: Sessions): void {
  const fail = (what: string) => {
    throw new Error(`SAM 3 export does not match the I/O contract: ${what}`);
  };
  if (sessions.imageEncoder.inputNames.length !== 1) fail("the image encoder must take exactly one input (images)");
  if (!sessions.textEncoder.inputNames.includes("input_ids")) fail("the text encoder has no input_ids input");
  const provided = new Set([
    ...sessions.imageEncoder.outputNames,
    ...sessions.textEncoder.outputNames,
    ...Object.keys(NO_BOX_INPUTS),
  ]);
  for (const name of sessions.maskDecoder.inputNames) {
    if (!provided.has(name) && !provided.has(DECODER_ALIASES[name] ?? ""))
      fail(`nothing produces the decoder input ${name}`);
  }
  for (const name of ["pred_masks", "pred_logits"]) {
    if (!sessions.maskDecoder.outputNames.includes(name)) fail(`the mask decoder has no ${name} output`);
  }
}

async function timed<T>(stage: StageStats, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    stage.runs += 1;
    stage.ms += performance.now() - start;
  }
}

function floats(value: ort.Tensor | undefined, name: string): Float32Array {
  if (!value || !(value.data instanceof Float32Array)) throw new Error(`decoder output ${name} is not float32`);
  return value.data;
}

export async function createOnnxSegmenter(options: OnnxSegmenterOptions): Promise<OnnxSegmenter> {
  const { modelDir, logger } = options;
  const manifest: Manifest = await loadManifest(modelDir);
  await requireFiles(modelDir, manifest);

  const tokenizer = await loadTokenizer(modelDir, manifest);
  const padId = manifest.padId ?? tokenizer.endId;

  const paths = {
    imageEncoder: join(modelDir, manifest.files.imageEncoder),
    textEncoder: join(modelDir, manifest.files.textEncoder),
    maskDecoder: join(modelDir, manifest.files.maskDecoder),
  };
  let provider = options.provider;
  let fallbackNote = "";
  let sessions: Sessions;
  try {
    sessions = await openSessions(paths, provider);
  } catch (error) {
    if (provider !== "cuda") throw error;
    // onnxruntime-node ships the CUDA EP libraries only when installed with
    // ONNXRUNTIME_NODE_INSTALL=cuda12, and needs the CUDA 12 + cuDNN 9 runtime beside them.
    logger?.warn(
      { err: (error as Error).message, modelDir },
      "CUDA execution provider unavailable; SAM 3 runs on CPU (much slower)",
    );
    provider = "cpu";
    fallbackNote = ", CUDA unavailable";
    sessions = await openSessions(paths, provider);
  }
  checkContract(sessions);

  const stats: OnnxStats = {
    imageEncoder: { runs: 0, ms: 0 },
    textEncoder: { runs: 0, ms: 0 },
    maskDecoder: { runs: 0, ms: 0 },
    preprocess: { runs: 0, ms: 0 },
    postprocess: { runs: 0, ms: 0 },
  };
  const thresholds = { score: manifest.scoreThreshold, mask: manifest.maskThreshold };
  const imageInput = sessions.imageEncoder.inputNames[0] ?? "images";
  const name = `onnx sam3 (provider ${provider}${fallbackNote})`;
  logger?.info(
    { modelDir, provider, imageSize: manifest.imageSize, resize: manifest.resize },
    `segmenter ready: ${name}`,
  );

  async function encodeText(concept: string): Promise<Feeds> {
    const { inputIds, attentionMask } = tokenizer.tokenize(
      conceptPrompt(concept, manifest),
      manifest.contextLength,
      padId,
    );
    const feeds: Feeds = { input_ids: new ort.Tensor("int64", inputIds, [1, manifest.contextLength]) };
    if (sessions.textEncoder.inputNames.includes("attention_mask")) {
      feeds.attention_mask = new ort.Tensor("int64", attentionMask, [1, manifest.contextLength]);
    }
    return (await timed(stats.textEncoder, () => sessions.textEncoder.run(feeds))) as Feeds;
  }

  function decoderFeeds(vision: Feeds, text: Feeds): Feeds {
    const feeds: Feeds = {};
    for (const input of sessions.maskDecoder.inputNames) {
      const source = vision[input] ?? text[input] ?? text[DECODER_ALIASES[input] ?? ""] ?? NO_BOX_INPUTS[input]?.();
      if (!source) throw new Error(`no value for decoder input ${input}`);
      feeds[input] = source;
    }
    return feeds;
  }

  return {
    name,
    report: { segmenter: `sam3@${manifest.version}`, scores: true },
    provider,
    stats,
    async forJob(concepts: readonly string[]): Promise<JobSegmenter> {
      const textByConcept = new Map<string, Feeds>();
      for (const concept of new Set(concepts)) textByConcept.set(concept, await encodeText(concept));

      return {
        async segment(image: RgbImage): Promise<ConceptMasks> {
          const { data, geometry } = await timed(stats.preprocess, () => imageToTensor(image, manifest));
          const size = manifest.imageSize;
          const vision = (await timed(stats.imageEncoder, () =>
            sessions.imageEncoder.run({ [imageInput]: new ort.Tensor("float32", data, [1, 3, size, size]) }),
          )) as Feeds;

          const result: ConceptMasks = new Map();
          for (const [concept, text] of textByConcept) {
            const out = (await timed(stats.maskDecoder, () =>
              sessions.maskDecoder.run(decoderFeeds(vision, text)),
            )) as Feeds;
            const instances = await timed(stats.postprocess, async () => {
              const masks = out.pred_masks;
              const dims = masks?.dims ?? [];
              const maskHeight = Number(dims[dims.length - 2] ?? 0);
              const maskWidth = Number(dims[dims.length - 1] ?? 0);
              const decoded: DecoderResult = {
                masks: floats(masks, "pred_masks"),
                maskWidth,
                maskHeight,
                logits: floats(out.pred_logits, "pred_logits"),
                presenceLogit: out.presence_logits ? (floats(out.presence_logits, "presence_logits")[0] ?? null) : null,
              };
              const mapping = photoMapping(image.width, image.height, geometry, maskWidth, maskHeight);
              return decodeInstances(concept, decoded, mapping, thresholds);
            });
            result.set(concept, instances);
          }
          logger?.debug(
            {
              width: image.width,
              height: image.height,
              concepts: result.size,
              instances: [...result.values()].reduce((n, l) => n + l.length, 0),
            },
            "photo segmented",
          );
          return result;
        },
      };
    },
    async close(): Promise<void> {
      await Promise.all([
        sessions.imageEncoder.release(),
        sessions.textEncoder.release(),
        sessions.maskDecoder.release(),
      ]);
    },
  };
}
