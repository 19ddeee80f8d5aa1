// Builds a tiny stand-in for a SAM 3 ONNX export: the same file names and tensor names as
// the real one (see gpu-worker/README.md, "ONNX segmenter"), at toy sizes, computing
// something a test can check:
//   image encoder: fpn_feat_k = average pools of the normalised image (fpn_feat_0 at 1/4);
//   text encoder:  text_features = an embedding table row per token (dim 0 "bright
//                  objectness", dim 1 "dark objectness"), text_mask = attention_mask as bool;
//   mask decoder:  query 0 = bright pixels (channel mean > 0.5 in [-1, 1] units),
//                  query 1 = dark pixels (< -0.5); pred_logits = the first word token's
//                  embedding dims 0 and 1; presence_logits = 10. With `batchedDecoder`, the
//                  text inputs take a symbolic "prompts" axis and the image features are
//                  broadcast to it inside the graph, as the export's batching surgery does.
// model.json is written as the export writes it: every tensor, the SHA-256 of every file.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ClipTokenizer, bytesToUnicode } from "../../../../src/engine/segmenter/onnx/tokenizer";
import { DataType, encodeModel, type GraphSpec, type ValueSpec } from "./onnx-writer";

export interface TinyModelOptions {
  /** Model input side (the real export uses 1008). Must be a multiple of 16. */
  imageSize?: number;
  embedDim?: number;
  contextLength?: number;
  /** Concept text → [bright query logit, dark query logit]; keyed by the text's first word. */
  objectness: Record<string, [number, number]>;
  /** Written to model.json when given (file names, thresholds…). */
  manifest?: Record<string, unknown>;
  resize?: "stretch" | "letterbox";
  /** The decoder takes all of a photo's concepts in one run (symbolic batch axis on its text inputs). */
  batchedDecoder?: boolean;
  /** The decoder also outputs kept_masks/kept_scores/kept_index: the queries over 0.5, selected in the graph. */
  keptOutputs?: boolean;
  /** The decoder's logits rise by each prompt's largest box label: a concept is found or not by its hints. */
  boxGate?: boolean;
  /** Changes the model.json written, after it is built from the graphs (a wrong export's manifest). */
  editManifest?: (manifest: ManifestJson) => void;
}

interface TensorJson {
  name: string;
  shape: (number | string)[];
  type: string;
}
type GraphJson = { inputs: TensorJson[]; outputs: TensorJson[] };
/** model.json as written here; tests edit it into a wrong export's. */
export interface ManifestJson {
  tensors: { imageEncoder: GraphJson; textEncoder: GraphJson; maskDecoder: GraphJson };
  sha256: Record<string, string>;
  [field: string]: unknown;
}

const TYPE_NAMES: Record<number, string> = {
  [DataType.FLOAT]: "float32",
  [DataType.UINT8]: "uint8",
  [DataType.INT32]: "int32",
  [DataType.INT64]: "int64",
  [DataType.BOOL]: "bool",
};

/** A graph's tensors as model.json declares them. */
export function declaredTensors(graph: GraphSpec) {
  const spec = (v: ValueSpec) => ({ name: v.name, shape: v.shape, type: TYPE_NAMES[v.dataType]! });
  return { inputs: graph.inputs.map(spec), outputs: graph.outputs.map(spec) };
}

export const sha256Hex = (data: Uint8Array | Buffer): string => createHash("sha256").update(data).digest("hex");

/** Merges that make each word one token, in the CLIP bpe_simple_vocab file format. */
export function mergesForWords(words: readonly string[]): string[] {
  const merges: string[] = [];
  const seen = new Set<string>();
  for (const word of words) {
    const chars = [...word];
    let left = chars[0] ?? "";
    for (let i = 1; i < chars.length; i++) {
      const right = i === chars.length - 1 ? `${chars[i]}</w>` : (chars[i] ?? "");
      const merge = `${left} ${right}`;
      if (!seen.has(merge)) {
        seen.add(merge);
        merges.push(merge);
      }
      left += right;
    }
  }
  return merges;
}

export function bpeFileContents(merges: readonly string[]): Buffer {
  return gzipSync(`#version: 0.2\n${merges.join("\n")}\n`);
}

function imageEncoder(size: number): GraphSpec {
  const pool = (name: string, k: number) => ({
    op: "AveragePool",
    inputs: ["images"],
    outputs: [name],
    attributes: { kernel_shape: [k, k], strides: [k, k] },
  });
  const s = size;
  return {
    name: "image_encoder",
    inputs: [{ name: "images", dataType: DataType.FLOAT, shape: [1, 3, s, s] }],
    outputs: [
      { name: "fpn_feat_0", dataType: DataType.FLOAT, shape: [1, 3, s / 4, s / 4] },
      { name: "fpn_feat_1", dataType: DataType.FLOAT, shape: [1, 3, s / 8, s / 8] },
      { name: "fpn_feat_2", dataType: DataType.FLOAT, shape: [1, 3, s / 16, s / 16] },
      { name: "fpn_pos_2", dataType: DataType.FLOAT, shape: [1, 3, s / 16, s / 16] },
    ],
    nodes: [
      pool("fpn_feat_0", 4),
      pool("fpn_feat_1", 8),
      pool("fpn_feat_2", 16),
      { op: "Mul", inputs: ["fpn_feat_2", "zero"], outputs: ["fpn_pos_2"] },
    ],
    initializers: [{ name: "zero", dims: [], dataType: DataType.FLOAT, values: [0] }],
  };
}

function textEncoder(vocabSize: number, dim: number, ctx: number, rows: Map<number, [number, number]>): GraphSpec {
  const table = new Array<number>(vocabSize * dim).fill(-6);
  for (const [id, [bright, dark]] of rows) {
    table[id * dim] = bright;
    table[id * dim + 1] = dark;
  }
  return {
    name: "text_encoder",
    inputs: [
      { name: "input_ids", dataType: DataType.INT64, shape: [1, ctx] },
      { name: "attention_mask", dataType: DataType.INT64, shape: [1, ctx] },
    ],
    outputs: [
      { name: "text_features", dataType: DataType.FLOAT, shape: [1, ctx, dim] },
      { name: "text_mask", dataType: DataType.BOOL, shape: [1, ctx] },
    ],
    nodes: [
      { op: "Gather", inputs: ["embedding", "input_ids"], outputs: ["text_features"], attributes: { axis: 0 } },
      { op: "Cast", inputs: ["attention_mask"], outputs: ["text_mask"], attributes: { to: DataType.BOOL } },
    ],
    initializers: [{ name: "embedding", dims: [vocabSize, dim], dataType: DataType.FLOAT, values: table }],
  };
}

/** The export's keep_scored surgery, on the tiny decoder: score = σ(logit)·σ(presence), rows over 0.5 gathered. */
function withKeptOutputs(graph: GraphSpec, m: number): GraphSpec {
  const f = DataType.FLOAT;
  return {
    ...graph,
    outputs: [
      ...graph.outputs,
      { name: "kept_masks", dataType: f, shape: ["kept", m, m] },
      { name: "kept_scores", dataType: f, shape: ["kept"] },
      { name: "kept_index", dataType: DataType.INT64, shape: ["kept", 2] },
    ],
    nodes: [
      ...graph.nodes,
      { op: "Sigmoid", inputs: ["pred_logits"], outputs: ["query_p"] },
      { op: "Sigmoid", inputs: ["presence_logits"], outputs: ["presence_p"] },
      { op: "Mul", inputs: ["query_p", "presence_p"], outputs: ["scores"] },
      { op: "Greater", inputs: ["scores", "keep_threshold"], outputs: ["over"] },
      { op: "NonZero", inputs: ["over"], outputs: ["over_at"] },
      { op: "Transpose", inputs: ["over_at"], outputs: ["kept_index"], attributes: { perm: [1, 0] } },
      { op: "GatherND", inputs: ["pred_masks", "kept_index"], outputs: ["kept_masks"] },
      { op: "GatherND", inputs: ["scores", "kept_index"], outputs: ["kept_scores"] },
    ],
    initializers: [...graph.initializers, { name: "keep_threshold", dims: [], dataType: f, values: [0.5] }],
  };
}

function maskDecoder(size: number, dim: number, ctx: number, batched: boolean, boxGate = false): GraphSpec {
  const m = size / 4;
  const b = batched ? "prompts" : 1;
  const weights = new Array<number>(dim * 2).fill(0);
  weights[0] = 1; // dim 0 → query 0
  weights[3] = 1; // dim 1 → query 1
  const f = DataType.FLOAT;
  return {
    name: "mask_decoder",
    inputs: [
      { name: "fpn_feat_0", dataType: f, shape: [1, 3, m, m] },
      { name: "fpn_feat_1", dataType: f, shape: [1, 3, m / 2, m / 2] },
      { name: "fpn_feat_2", dataType: f, shape: [1, 3, m / 4, m / 4] },
      { name: "fpn_pos_2", dataType: f, shape: [1, 3, m / 4, m / 4] },
      { name: "text_features", dataType: f, shape: [b, ctx, dim] },
      { name: "text_mask", dataType: DataType.BOOL, shape: [b, ctx] },
      { name: "input_boxes", dataType: f, shape: [b, "boxes", 4] },
      { name: "input_boxes_labels", dataType: DataType.INT64, shape: [b, "boxes"] },
    ],
    outputs: [
      { name: "pred_masks", dataType: f, shape: [b, 2, m, m] },
      { name: "pred_boxes", dataType: f, shape: [b, 2, 4] },
      { name: "pred_logits", dataType: f, shape: [b, 2] },
      { name: "presence_logits", dataType: f, shape: [b, 1] },
    ],
    nodes: [
      { op: "ReduceMean", inputs: ["fpn_feat_0"], outputs: ["gray"], attributes: { axes: [1], keepdims: 1 } },
      { op: "Sub", inputs: ["gray", "half"], outputs: ["bright_raw"] },
      { op: "Mul", inputs: ["bright_raw", "ten"], outputs: ["bright"] },
      { op: "Neg", inputs: ["gray"], outputs: ["neg_gray"] },
      { op: "Sub", inputs: ["neg_gray", "half"], outputs: ["dark_raw"] },
      { op: "Mul", inputs: ["dark_raw", "ten"], outputs: ["dark"] },
      { op: "Concat", inputs: ["bright", "dark"], outputs: ["masks_one"], attributes: { axis: 1 } },
      { op: "Gather", inputs: ["text_features", "first_word"], outputs: ["word"], attributes: { axis: 1 } },
      { op: "MatMul", inputs: ["word", "query_weights"], outputs: [boxGate ? "text_logits" : "pred_logits"] },
      // boxGate: each prompt's logits plus its largest box label (1 include, 0 exclude, -10 padding).
      ...(boxGate
        ? [
            { op: "Cast", inputs: ["input_boxes_labels"], outputs: ["labels_f"], attributes: { to: f } },
            { op: "ReduceMax", inputs: ["labels_f"], outputs: ["gate"], attributes: { axes: [1], keepdims: 1 } },
            { op: "Add", inputs: ["text_logits", "gate"], outputs: ["pred_logits"] },
          ]
        : []),
      // The prompt batch: the image's masks, presence and boxes broadcast to it, on the device.
      { op: "Shape", inputs: ["text_features"], outputs: ["text_shape"] },
      { op: "Gather", inputs: ["text_shape", "axis0"], outputs: ["batch"], attributes: { axis: 0 } },
      { op: "Concat", inputs: ["batch", "mask_dims"], outputs: ["masks_shape"], attributes: { axis: 0 } },
      { op: "Expand", inputs: ["masks_one", "masks_shape"], outputs: ["pred_masks"] },
      { op: "Concat", inputs: ["batch", "one"], outputs: ["presence_shape"], attributes: { axis: 0 } },
      { op: "Expand", inputs: ["presence", "presence_shape"], outputs: ["presence_logits"] },
      { op: "Concat", inputs: ["batch", "box_dims"], outputs: ["boxes_shape"], attributes: { axis: 0 } },
      { op: "Expand", inputs: ["boxes", "boxes_shape"], outputs: ["pred_boxes"] },
    ],
    initializers: [
      { name: "half", dims: [], dataType: f, values: [0.5] },
      { name: "ten", dims: [], dataType: f, values: [10] },
      { name: "first_word", dims: [], dataType: DataType.INT64, values: [1] },
      { name: "query_weights", dims: [dim, 2], dataType: f, values: weights },
      { name: "presence", dims: [1, 1], dataType: f, values: [10] },
      { name: "boxes", dims: [1, 2, 4], dataType: f, values: [0, 0, 1, 1, 0, 0, 1, 1] },
      { name: "axis0", dims: [1], dataType: DataType.INT64, values: [0] },
      { name: "mask_dims", dims: [3], dataType: DataType.INT64, values: [2, m, m] },
      { name: "one", dims: [1], dataType: DataType.INT64, values: [1] },
      { name: "box_dims", dims: [2], dataType: DataType.INT64, values: [2, 4] },
    ],
  };
}

/** Writes image_encoder.onnx, text_encoder.onnx, mask_decoder.onnx, the BPE vocabulary and model.json. */
export async function buildTinySam3(dir: string, options: TinyModelOptions): Promise<void> {
  const size = options.imageSize ?? 64;
  const dim = options.embedDim ?? 8;
  const ctx = options.contextLength ?? 32;
  const words = Object.keys(options.objectness).flatMap((text) => text.toLowerCase().split(/\s+/));
  const merges = mergesForWords(words);
  const tokenizer = new ClipTokenizer(ClipTokenizer.vocabFromBpeMerges(merges), merges);
  const rows = new Map<number, [number, number]>();
  for (const [text, logits] of Object.entries(options.objectness)) {
    const first = tokenizer.encode(text)[0];
    if (first === undefined) throw new Error(`no token for ${text}`);
    rows.set(first, logits);
  }
  const vocabSize = bytesToUnicode().length * 2 + merges.length + 2;

  const graphs = {
    imageEncoder: imageEncoder(size),
    textEncoder: textEncoder(vocabSize, dim, ctx, rows),
    maskDecoder: options.keptOutputs
      ? withKeptOutputs(maskDecoder(size, dim, ctx, options.batchedDecoder ?? false, options.boxGate), size / 4)
      : maskDecoder(size, dim, ctx, options.batchedDecoder ?? false, options.boxGate),
  };
  const files: Record<string, Uint8Array | Buffer> = {
    "image_encoder.onnx": encodeModel(graphs.imageEncoder),
    "text_encoder.onnx": encodeModel(graphs.textEncoder),
    "mask_decoder.onnx": encodeModel(graphs.maskDecoder),
    "bpe_simple_vocab_16e6.txt.gz": bpeFileContents(merges),
  };
  await mkdir(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);
  const manifest: ManifestJson = {
    modelVersion: "tiny-sam3-stand-in (test/engine/segmenter/onnx/build-models.ts)",
    imageSize: size,
    contextLength: ctx,
    resize: options.resize ?? "stretch",
    sha256: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, sha256Hex(data)])),
    tensors: {
      imageEncoder: declaredTensors(graphs.imageEncoder),
      textEncoder: declaredTensors(graphs.textEncoder),
      maskDecoder: declaredTensors(graphs.maskDecoder),
    },
    ...options.manifest,
  };
  options.editManifest?.(manifest);
  await writeFile(join(dir, "model.json"), JSON.stringify(manifest, null, 2));
}
