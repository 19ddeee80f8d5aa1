// The onnx segmenter's sessions and mask post-processing. This module runs on the segmenter
// thread (../thread.ts), never on the main thread: onnxruntime-node's run() holds its thread for
// the whole graph, and upsampling a dozen masks to 12 MP takes hundreds of milliseconds.
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import type { ConceptMasks } from "../types";
import {
  conceptPrompt,
  graphFiles,
  loadManifest,
  loadTokenizer,
  requireFiles,
  verifyChecksums,
  type GraphKey,
  type Manifest,
} from "./manifest";
import { decodeInstances, decodeScored, mapInstances, photoMapping, type DecoderResult } from "./postprocess";
import { boxFeeds, type BoxPrompts } from "./hints";
import { normalise, type InputGeometry } from "./preprocess";
import { emptyStats, type OnnxStats, type StageStats } from "./stats";
import { checkDeclaredIo, checkSession, DECODER_ALIASES, KEPT_OUTPUTS, ModelMismatchError } from "./verify";

export interface EngineOptions {
  modelDir: string;
  provider: "cuda" | "cpu";
  /** ONNX_ALLOW_CPU_FALLBACK: with provider cuda, run on CPU when CUDA does not load. Off by default. */
  allowCpuFallback: boolean;
}

export type { OnnxStats, StageStats } from "./stats";

/** What the main thread learns when the engine is ready. */
export interface EngineInfo {
  name: string;
  provider: "cuda" | "cpu";
  modelVersion: string;
  architecture: Manifest["architecture"];
  /** The decoder takes all of a photo's concepts in one run (a symbolic batch axis). */
  batchedDecoder: boolean;
  /** Only the candidates over the score threshold leave the decoder (its kept_* outputs). */
  keptOnDevice: boolean;
  manifest: Pick<Manifest, "imageSize" | "resize" | "prompts">;
  /** Set when CUDA did not load and ONNX_ALLOW_CPU_FALLBACK let it run on CPU. */
  fallback: string | null;
  /** Concepts of the start-up's warm-up segment. */
  warmUpConcepts: string[];
}

/** One photo, as it reaches the thread: already resized to its place in the model input. */
export interface SegmentInput {
  pixels: Uint8Array;
  geometry: InputGeometry;
  width: number;
  height: number;
  /** Hinted concepts' geometric prompts (hints.ts); fed where the decoder declares input_boxes. */
  prompts?: Record<string, BoxPrompts>;
}

export interface Engine {
  readonly info: EngineInfo;
  readonly stats: OnnxStats;
  prepareJob(concepts: readonly string[]): Promise<number>;
  segment(job: number, input: SegmentInput): Promise<ConceptMasks>;
  dropJob(job: number): void;
  close(): Promise<void>;
}

type Feeds = Record<string, ort.Tensor>;
type Sessions = Partial<Record<GraphKey, ort.InferenceSession>>;

export class CudaUnavailableError extends Error {}

async function openSessions(paths: Partial<Record<GraphKey, string>>, provider: "cuda" | "cpu"): Promise<Sessions> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: "all",
  };
  const sessions: Sessions = {};
  try {
    for (const [key, path] of Object.entries(paths) as [GraphKey, string][])
      sessions[key] = await ort.InferenceSession.create(path, options);
    return sessions;
  } catch (error) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw error;
  }
}

/** Opens the sessions on the provider asked for; CUDA that fails to load is an error unless fallback is allowed. */
async function openOnProvider(
  paths: Partial<Record<GraphKey, string>>,
  options: EngineOptions,
): Promise<{ sessions: Sessions; provider: "cuda" | "cpu"; fallback: string | null }> {
  if (options.provider === "cpu")
    return { sessions: await openSessions(paths, "cpu"), provider: "cpu", fallback: null };
  try {
    return { sessions: await openSessions(paths, "cuda"), provider: "cuda", fallback: null };
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0]!;
    if (!options.allowCpuFallback)
      throw new CudaUnavailableError(
        `ONNX_PROVIDER=cuda but the CUDA execution provider did not load (${reason}); the image needs ` +
          "libonnxruntime_providers_cuda.so beside onnxruntime-node and the CUDA 12 + cuDNN 9 runtime " +
          "(docs/deploy.md). Set ONNX_ALLOW_CPU_FALLBACK=true to run on CPU instead.",
        { cause: error },
      );
    return { sessions: await openSessions(paths, "cpu"), provider: "cpu", fallback: reason };
  }
}

async function timed<T>(stage: StageStats, run: () => Promise<T> | T): Promise<T> {
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

/** Tensors of one name from several runs, stacked on their first axis (the decoder's prompt batch). */
function stack(tensors: ort.Tensor[]): ort.Tensor {
  const first = tensors[0]!;
  if (tensors.length === 1) return first;
  const data = first.data as Float32Array | Uint8Array | BigInt64Array;
  const out = new (data.constructor as new (n: number) => typeof data)(data.length * tensors.length);
  tensors.forEach((t, i) => out.set(t.data as never, i * data.length));
  return new ort.Tensor(first.type, out, [tensors.length * Number(first.dims[0]), ...first.dims.slice(1)]);
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const { modelDir } = options;
  const manifest = await loadManifest(modelDir);
  await requireFiles(modelDir, manifest);
  const { batchedDecoder, keptOnDevice } = checkDeclaredIo(manifest);
  await verifyChecksums(modelDir, manifest);
  const tokenizer = manifest.architecture === "sam3" ? await loadTokenizer(modelDir, manifest) : null;
  const padId = manifest.padId ?? tokenizer?.endId ?? 0;

  const paths = Object.fromEntries(Object.entries(graphFiles(manifest)).map(([k, f]) => [k, join(modelDir, f)]));
  const { sessions, provider, fallback } = await openOnProvider(paths, options);
  try {
    for (const [key, session] of Object.entries(sessions) as [GraphKey, ort.InferenceSession][])
      checkSession(key, session as never, manifest.tensors[key]!);
  } catch (error) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw error;
  }
  const imageEncoder = sessions.imageEncoder!;

  const stats = emptyStats();
  const thresholds = { score: manifest.scoreThreshold, mask: manifest.maskThreshold };
  const imageInput = imageEncoder.inputNames[0]!;
  const label = manifest.architecture === "sam3" ? "onnx sam3" : `onnx mask-map ${manifest.mapConcept}`;
  const info: EngineInfo = {
    name: `${label} (provider ${provider}${fallback ? ", CUDA unavailable: ONNX_ALLOW_CPU_FALLBACK" : ""})`,
    provider,
    modelVersion: manifest.modelVersion,
    architecture: manifest.architecture,
    batchedDecoder,
    keptOnDevice,
    manifest: { imageSize: manifest.imageSize, resize: manifest.resize, prompts: manifest.prompts },
    fallback,
    warmUpConcepts: manifest.architecture === "sam3" ? ["Wall", "Floor"] : [manifest.mapConcept!],
  };

  /** Job id → concept → its text encoder outputs (sam3), or just the concepts (mask-map). */
  const jobs = new Map<number, Map<string, Feeds>>();
  let nextJob = 1;

  async function encodeText(concept: string): Promise<Feeds> {
    const session = sessions.textEncoder!;
    const { inputIds, attentionMask } = tokenizer!.tokenize(
      conceptPrompt(concept, manifest),
      manifest.contextLength,
      padId,
    );
    const feeds: Feeds = { input_ids: new ort.Tensor("int64", inputIds, [1, manifest.contextLength]) };
    if (session.inputNames.includes("attention_mask"))
      feeds.attention_mask = new ort.Tensor("int64", attentionMask, [1, manifest.contextLength]);
    return (await timed(stats.textEncoder, () => session.run(feeds))) as Feeds;
  }

  /** The decoder's feeds for `texts` (one, or all of a photo's concepts when batched), with their box prompts. */
  function decoderFeeds(vision: Feeds, texts: Feeds[], prompts: (BoxPrompts | undefined)[]): Feeds {
    const feeds: Feeds = {};
    const batch = texts.length;
    // Concepts without hints get one padding box each, which the geometry encoder ignores.
    const geometric = boxFeeds(prompts);
    for (const input of sessions.maskDecoder!.inputNames) {
      const name = DECODER_ALIASES[input] ?? input;
      if (vision[input]) feeds[input] = vision[input]!;
      else if (texts[0]![input] ?? texts[0]![name]) feeds[input] = stack(texts.map((t) => (t[input] ?? t[name])!));
      else if (input === "input_boxes")
        feeds[input] = new ort.Tensor("float32", geometric.boxes, [batch, geometric.count, 4]);
      else if (input === "input_boxes_labels")
        feeds[input] = new ort.Tensor("int64", geometric.labels, [batch, geometric.count]);
      else throw new ModelMismatchError(`no value for decoder input ${input}`);
    }
    return feeds;
  }

  /** Instances per concept of `group` from one decoder run: all queries, or only the device's kept rows. */
  function decodeGroup(group: [string, Feeds][], out: Feeds, input: SegmentInput, result: ConceptMasks): void {
    const masksOut = keptOnDevice ? out.kept_masks : out.pred_masks;
    const dims = masksOut?.dims ?? [];
    const maskHeight = Number(dims.at(-2) ?? 0),
      maskWidth = Number(dims.at(-1) ?? 0);
    const mapping = photoMapping(input.width, input.height, input.geometry, maskWidth, maskHeight);
    if (keptOnDevice) {
      const masks = floats(out.kept_masks, "kept_masks");
      const scores = floats(out.kept_scores, "kept_scores");
      const index = out.kept_index?.data as BigInt64Array;
      group.forEach(([concept], prompt) => {
        const planes = [];
        for (let row = 0; row < scores.length; row++)
          if (Number(index[row * 2]) === prompt) planes.push({ index: row, score: scores[row]! });
        result.set(concept, decodeScored(concept, masks, maskWidth, maskHeight, planes, mapping, thresholds));
      });
      return;
    }
    const masks = floats(out.pred_masks, "pred_masks");
    const logits = floats(out.pred_logits, "pred_logits");
    const presence = out.presence_logits ? floats(out.presence_logits, "presence_logits") : null;
    const perMasks = masks.length / group.length,
      perLogits = logits.length / group.length;
    group.forEach(([concept], i) => {
      const decoded: DecoderResult = {
        masks: masks.subarray(i * perMasks, (i + 1) * perMasks),
        maskWidth,
        maskHeight,
        logits: logits.subarray(i * perLogits, (i + 1) * perLogits),
        presenceLogit: presence ? (presence[i * (presence.length / group.length)] ?? null) : null,
      };
      result.set(concept, decodeInstances(concept, decoded, mapping, thresholds));
    });
  }

  /** The decoder outputs fetched: the kept rows only when the export selects them, else what decoding reads. */
  const decoderFetches = keptOnDevice ? [...KEPT_OUTPUTS] : ["pred_masks", "pred_logits", "presence_logits"];

  async function segmentSam3(concepts: Map<string, Feeds>, input: SegmentInput, vision: Feeds): Promise<ConceptMasks> {
    const result: ConceptMasks = new Map();
    const entries = [...concepts];
    const groups = batchedDecoder ? [entries] : entries.map((entry) => [entry]);
    const fetches = decoderFetches.filter((name) => sessions.maskDecoder!.outputNames.includes(name));
    for (const group of groups) {
      const out = (await timed(stats.maskDecoder, () =>
        sessions.maskDecoder!.run(
          decoderFeeds(
            vision,
            group.map(([, text]) => text),
            group.map(([concept]) => input.prompts?.[concept]),
          ),
          fetches,
        ),
      )) as Feeds;
      for (const value of Object.values(out)) stats.decoderOutputBytes += (value.data as ArrayBufferView).byteLength;
      await timed(stats.postprocess, () => decodeGroup(group, out, input, result));
    }
    return result;
  }

  function segmentMap(concepts: Map<string, Feeds>, input: SegmentInput, vision: Feeds): ConceptMasks {
    const result: ConceptMasks = new Map();
    const out = vision[imageEncoder.outputNames[0]!];
    const dims = out?.dims ?? [];
    const maskHeight = Number(dims.at(-2) ?? 0),
      maskWidth = Number(dims.at(-1) ?? 0);
    const mapping = photoMapping(input.width, input.height, input.geometry, maskWidth, maskHeight);
    for (const concept of concepts.keys())
      result.set(
        concept,
        concept === manifest.mapConcept
          ? mapInstances(concept, floats(out, imageEncoder.outputNames[0]!), maskWidth, maskHeight, mapping, thresholds)
          : [],
      );
    return result;
  }

  return {
    info,
    stats,
    async prepareJob(concepts) {
      const texts = new Map<string, Feeds>();
      for (const concept of new Set(concepts))
        texts.set(concept, manifest.architecture === "sam3" ? await encodeText(concept) : {});
      const id = nextJob++;
      jobs.set(id, texts);
      return id;
    },
    async segment(job, input) {
      const concepts = jobs.get(job);
      if (!concepts) throw new Error(`unknown segmenter job ${job}`);
      const size = manifest.imageSize;
      const data = await timed(stats.preprocess, () => normalise(input.pixels, input.geometry, manifest));
      const vision = (await timed(stats.imageEncoder, () =>
        imageEncoder.run({ [imageInput]: new ort.Tensor("float32", data, [1, 3, size, size]) }),
      )) as Feeds;
      if (manifest.architecture === "sam3") return segmentSam3(concepts, input, vision);
      return timed(stats.postprocess, () => segmentMap(concepts, input, vision));
    },
    dropJob(job) {
      jobs.delete(job);
    },
    async close() {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
    },
  };
}
