// Builds a tiny stand-in for a SAM 3 ONNX export: the same file names and tensor names as
// the real one (see gpu-worker/README.md, "ONNX segmenter"), at toy sizes, computing
// something a test can check:
//   image encoder: fpn_feat_k = average pools of the normalised image (fpn_feat_0 at 1/4);
//   text encoder:  text_features = an embedding table row per token (dim 0 "bright
//                  objectness", dim 1 "dark objectness"), text_mask = attention_mask as bool;
//   mask decoder:  query 0 = bright pixels (channel mean > 0.5 in [-1, 1] units),
//                  query 1 = dark pixels (< -0.5); pred_logits = the first word token's
//                  embedding dims 0 and 1; presence_logits = 10.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ClipTokenizer, bytesToUnicode } from "../../src/engine/segmenter/onnx/tokenizer";
import { DataType, encodeModel, type GraphSpec } from "./onnx-writer";

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
}

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

function maskDecoder(size: number, dim: number, ctx: number): GraphSpec {
  const m = size / 4;
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
      { name: "text_features", dataType: f, shape: [1, ctx, dim] },
      { name: "text_mask", dataType: DataType.BOOL, shape: [1, ctx] },
      { name: "input_boxes", dataType: f, shape: [1, "boxes", 4] },
      { name: "input_boxes_labels", dataType: DataType.INT64, shape: [1, "boxes"] },
    ],
    outputs: [
      { name: "pred_masks", dataType: f, shape: [1, 2, m, m] },
      { name: "pred_boxes", dataType: f, shape: [1, 2, 4] },
      { name: "pred_logits", dataType: f, shape: [1, 2] },
      { name: "presence_logits", dataType: f, shape: [1, 1] },
    ],
    nodes: [
      { op: "ReduceMean", inputs: ["fpn_feat_0"], outputs: ["gray"], attributes: { axes: [1], keepdims: 1 } },
      { op: "Sub", inputs: ["gray", "half"], outputs: ["bright_raw"] },
      { op: "Mul", inputs: ["bright_raw", "ten"], outputs: ["bright"] },
      { op: "Neg", inputs: ["gray"], outputs: ["neg_gray"] },
      { op: "Sub", inputs: ["neg_gray", "half"], outputs: ["dark_raw"] },
      { op: "Mul", inputs: ["dark_raw", "ten"], outputs: ["dark"] },
      { op: "Concat", inputs: ["bright", "dark"], outputs: ["pred_masks"], attributes: { axis: 1 } },
      { op: "Gather", inputs: ["text_features", "first_word"], outputs: ["word"], attributes: { axis: 1 } },
      { op: "MatMul", inputs: ["word", "query_weights"], outputs: ["pred_logits"] },
      { op: "Identity", inputs: ["presence"], outputs: ["presence_logits"] },
      { op: "Identity", inputs: ["boxes"], outputs: ["pred_boxes"] },
    ],
    initializers: [
      { name: "half", dims: [], dataType: f, values: [0.5] },
      { name: "ten", dims: [], dataType: f, values: [10] },
      { name: "first_word", dims: [], dataType: DataType.INT64, values: [1] },
      { name: "query_weights", dims: [dim, 2], dataType: f, values: weights },
      { name: "presence", dims: [1, 1], dataType: f, values: [10] },
      { name: "boxes", dims: [1, 2, 4], dataType: f, values: [0, 0, 1, 1, 0, 0, 1, 1] },
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

  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "image_encoder.onnx"), encodeModel(imageEncoder(size)));
  await writeFile(join(dir, "text_encoder.onnx"), encodeModel(textEncoder(vocabSize, dim, ctx, rows)));
  await writeFile(join(dir, "mask_decoder.onnx"), encodeModel(maskDecoder(size, dim, ctx)));
  await writeFile(join(dir, "bpe_simple_vocab_16e6.txt.gz"), bpeFileContents(merges));
  await writeFile(
    join(dir, "model.json"),
    JSON.stringify(
      { imageSize: size, contextLength: ctx, resize: options.resize ?? "stretch", ...options.manifest },
      null,
      2,
    ),
  );
}
