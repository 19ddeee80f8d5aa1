// Start-up proof of the model (docs/gpu-worker.md, "Start-up proves the model"): every graph's
// tensors as the session sees them must be those model.json declares, and model.json's must be
// what this segmenter feeds and reads. A 504×896 export, an fp16 output or a renamed tensor
// stops the worker at start with the tensor named, not on the first photo.
import type { GraphKey, GraphSpec, Manifest, TensorSpec } from "./manifest";

/** What a session reports of its inputs and outputs (onnxruntime's ValueMetadata, tensors only). */
export interface SessionIo {
  inputMetadata: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
  outputMetadata: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
}

export class ModelMismatchError extends Error {}

const GRAPH_NAMES: Record<GraphKey, string> = {
  imageEncoder: "image encoder",
  textEncoder: "text encoder",
  maskDecoder: "mask decoder",
};

const showShape = (shape: readonly (number | string)[]) => `[${shape.join(", ")}]`;

function sameShape(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  // A symbolic axis matches a symbolic axis of any name (exporters rename them); a size only itself.
  return a.length === b.length && a.every((d, i) => (typeof d === "string" ? typeof b[i] === "string" : d === b[i]));
}

/** The session's tensors are exactly model.json's: names, element types, shapes. */
export function checkSession(key: GraphKey, session: SessionIo, declared: GraphSpec): void {
  const graph = GRAPH_NAMES[key];
  for (const side of ["inputs", "outputs"] as const) {
    const actual = side === "inputs" ? session.inputMetadata : session.outputMetadata;
    const expected = declared[side];
    const names = actual.map((t) => t.name);
    const missing = expected.filter((t) => !names.includes(t.name)).map((t) => t.name);
    const extra = names.filter((name) => !expected.some((t) => t.name === name));
    if (missing.length || extra.length)
      throw new ModelMismatchError(
        `${graph} ${side} are [${names.join(", ")}], model.json declares [${expected.map((t) => t.name).join(", ")}]`,
      );
    for (const spec of expected) {
      const meta = actual.find((t) => t.name === spec.name)!;
      if (!meta.isTensor) throw new ModelMismatchError(`${graph} ${side} ${spec.name} is not a tensor`);
      if (meta.type !== spec.type)
        throw new ModelMismatchError(`${graph} ${spec.name} is ${meta.type}, model.json declares ${spec.type}`);
      const shape = showShape(meta.shape ?? []);
      if (!sameShape(meta.shape ?? [], spec.shape))
        throw new ModelMismatchError(
          `${graph} ${spec.name} has shape ${shape}, model.json declares ${showShape(spec.shape)}`,
        );
    }
  }
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new ModelMismatchError(`the export does not fit the onnx segmenter: ${what}`);
}

const find = (list: readonly TensorSpec[], name: string) => list.find((t) => t.name === name);

/** Decoder inputs no encoder produces, fed as "no box prompt". */
export const NO_BOX_INPUT_TYPES: Record<string, string> = { input_boxes: "float32", input_boxes_labels: "int64" };
/** Older exports call the text inputs of the decoder prompt_*. */
export const DECODER_ALIASES: Record<string, string> = { prompt_features: "text_features", prompt_mask: "text_mask" };

/** The image input: one float32 [1, 3, S, S] tensor at the manifest's size (symbolic sides for a mask-map). */
function checkImageInput(manifest: Manifest): void {
  const inputs = manifest.tensors.imageEncoder.inputs;
  need(inputs.length === 1, `the image encoder takes ${inputs.length} inputs, not one`);
  const [input] = inputs as [TensorSpec];
  const size = manifest.imageSize;
  need(input.type === "float32", `image input ${input.name} is ${input.type}, not float32`);
  const [n, c, h, w] = input.shape;
  const side = (d: number | string | undefined) =>
    d === size || (manifest.architecture === "mask-map" && typeof d === "string");
  need(
    input.shape.length === 4 && (n === 1 || typeof n === "string") && c === 3 && side(h) && side(w),
    `image input ${input.name} is ${showShape(input.shape)}, not [1, 3, ${size}, ${size}] (imageSize ${size})`,
  );
}

/** The declared tensors are ones this segmenter can feed and read; says whether the decoder takes a prompt batch. */
export function checkDeclaredIo(manifest: Manifest): { batchedDecoder: boolean; keptOnDevice: boolean } {
  checkImageInput(manifest);
  if (manifest.architecture === "mask-map") {
    const out = manifest.tensors.imageEncoder.outputs[0];
    need(out !== undefined, "the mask-map graph has no output");
    need(out!.type === "float32", `mask-map output ${out!.name} is ${out!.type}, not float32`);
    need(out!.shape.length === 4 && out!.shape[1] === 1, `mask-map output ${out!.name} is not [1, 1, H, W]`);
    return { batchedDecoder: false, keptOnDevice: false };
  }
  const text = manifest.tensors.textEncoder!;
  const decoder = manifest.tensors.maskDecoder!;
  const ids = find(text.inputs, "input_ids");
  need(ids !== undefined, "the text encoder has no input_ids input");
  need(ids!.type === "int64", `input_ids is ${ids!.type}, not int64`);
  need(
    ids!.shape.at(-1) === manifest.contextLength,
    `input_ids is ${showShape(ids!.shape)}, contextLength is ${manifest.contextLength}`,
  );
  const produced = [...manifest.tensors.imageEncoder.outputs, ...text.outputs];
  for (const input of decoder.inputs) {
    const source = find(produced, input.name) ?? find(produced, DECODER_ALIASES[input.name] ?? "");
    const noBox = NO_BOX_INPUT_TYPES[input.name];
    need(source !== undefined || noBox !== undefined, `nothing produces the decoder input ${input.name}`);
    const type = source?.type ?? noBox;
    need(type === input.type, `decoder input ${input.name} is ${input.type}, its source gives ${type}`);
    if (source)
      need(
        source.shape.length === input.shape.length &&
          source.shape.every(
            (d, i) => typeof d === "string" || typeof input.shape[i] === "string" || d === input.shape[i],
          ),
        `decoder input ${input.name} is ${showShape(input.shape)}, its source gives ${showShape(source.shape)}`,
      );
  }
  for (const name of ["pred_masks", "pred_logits"]) {
    const out = find(decoder.outputs, name);
    need(out !== undefined, `the mask decoder has no ${name} output`);
    need(out!.type === "float32", `decoder output ${name} is ${out!.type}, not float32`);
  }
  need(find(decoder.outputs, "pred_masks")!.shape.length === 4, "pred_masks is not [B, Q, H, W]");
  const presence = find(decoder.outputs, "presence_logits");
  need(!presence || presence.type === "float32", `decoder output presence_logits is ${presence?.type}, not float32`);
  // The export's kept_* outputs: the candidates over the score threshold, selected on the device.
  const kept = KEPT_OUTPUTS.map((name) => find(decoder.outputs, name));
  const keptOnDevice = kept.every((t) => t !== undefined);
  if (keptOnDevice) {
    const [masks, scores, index] = kept as [TensorSpec, TensorSpec, TensorSpec];
    need(masks.type === "float32" && masks.shape.length === 3, `kept_masks is not float32 [K, H, W]`);
    need(scores.type === "float32" && scores.shape.length === 1, `kept_scores is not float32 [K]`);
    need(index.type === "int64" && index.shape.length === 2, `kept_index is not int64 [K, 2]`);
  }
  // A symbolic first axis on the decoder's text input: all of a photo's concepts go in one run.
  const textInput = decoder.inputs.find((t) => t.name === "text_features" || t.name === "prompt_features");
  return { batchedDecoder: typeof textInput?.shape[0] === "string", keptOnDevice };
}

/** The decoder outputs of the export's device-side selection (kept_index rows are [prompt, query]). */
export const KEPT_OUTPUTS = ["kept_masks", "kept_scores", "kept_index"] as const;
