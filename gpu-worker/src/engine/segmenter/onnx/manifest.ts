// model.json: what a SAM 3 ONNX export in MODEL_CACHE_DIR looks like. Every field is
// optional; a directory without model.json uses the defaults below (the layout our
// README documents). Unknown fields are refused so a typo does not silently fall back.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ClipTokenizer } from "./tokenizer";

const rgb = z.tuple([z.number(), z.number(), z.number()]);

const manifestSchema = z
  .object({
    files: z
      .object({
        imageEncoder: z.string().default("image_encoder.onnx"),
        textEncoder: z.string().default("text_encoder.onnx"),
        maskDecoder: z.string().default("mask_decoder.onnx"),
      })
      .strict()
      .default({
        imageEncoder: "image_encoder.onnx",
        textEncoder: "text_encoder.onnx",
        maskDecoder: "mask_decoder.onnx",
      }),
    /** CLIP's gzipped merges file, Hugging Face's vocab.json + merges.txt, or its tokenizer.json. */
    tokenizer: z
      .union([
        z.object({ bpe: z.string() }).strict(),
        z.object({ vocab: z.string(), merges: z.string() }).strict(),
        z.object({ json: z.string() }).strict(),
      ])
      .default({ bpe: "bpe_simple_vocab_16e6.txt.gz" }),
    /** The model version reports name ("sam3@<version>", docs/reports.md). */
    version: z.string().min(1).max(60).default("unversioned"),
    imageSize: z.number().int().min(16).max(4096).default(1008),
    /** SAM 3 stretches to a square; "letterbox" keeps the aspect and pads right and bottom. */
    resize: z.enum(["stretch", "letterbox"]).default("stretch"),
    /** Per channel, on 0..1 values: x = (v / 255 - mean) / std. SAM 3 uses 0.5 / 0.5. */
    mean: rgb.default([0.5, 0.5, 0.5]),
    std: rgb.default([0.5, 0.5, 0.5]),
    contextLength: z.number().int().min(3).max(512).default(32),
    /** Padding token id; defaults to the end-of-text id, as Hugging Face's CLIP tokenizer pads. */
    padId: z.number().int().min(0).optional(),
    /** An instance is kept when sigmoid(pred_logits) · sigmoid(presence_logits) > this. */
    scoreThreshold: z.number().min(0).max(1).default(0.5),
    /** A pixel is inside when its upsampled mask logit > this. */
    maskThreshold: z.number().default(0),
    /** Concept name → prompt text, overriding the default mapping ("Frame_Molding" → "frame molding"). */
    prompts: z.record(z.string(), z.string().min(1)).default({}),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;

export const MANIFEST_FILE = "model.json";

/** The tokenizer the manifest names, loaded from the model directory. */
export async function loadTokenizer(modelDir: string, manifest: Manifest): Promise<ClipTokenizer> {
  const spec = manifest.tokenizer;
  if ("bpe" in spec) return ClipTokenizer.fromBpeFile(join(modelDir, spec.bpe));
  if ("json" in spec) return ClipTokenizer.fromTokenizerJson(join(modelDir, spec.json));
  return ClipTokenizer.fromVocabAndMerges(join(modelDir, spec.vocab), join(modelDir, spec.merges));
}

export async function loadManifest(modelDir: string): Promise<Manifest> {
  const path = join(modelDir, MANIFEST_FILE);
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`bad ${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** Fails with the missing file's name before any session is created. */
export async function requireFiles(modelDir: string, manifest: Manifest): Promise<void> {
  const tokenizerFiles = Object.values(manifest.tokenizer);
  const names = [
    manifest.files.imageEncoder,
    manifest.files.textEncoder,
    manifest.files.maskDecoder,
    ...tokenizerFiles,
  ];
  for (const name of names) {
    try {
      await access(join(modelDir, name));
    } catch {
      throw new Error(`SAM 3 model file missing: ${join(modelDir, name)} (see gpu-worker/README.md, "ONNX segmenter")`);
    }
  }
}

/** "Frame_Molding" → "frame molding": underscores and hyphens become spaces (the tokenizer lower-cases). */
export function conceptPrompt(concept: string, manifest: Pick<Manifest, "prompts">): string {
  return manifest.prompts[concept] ?? concept.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim().toLowerCase();
}
