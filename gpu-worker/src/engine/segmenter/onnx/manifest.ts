// model.json: what the model directory holds and how to run it, written by the export
// (gpu-worker/scripts/export-sam3/, docs/deploy.md). It is required: start-up checks every
// tensor of every graph and every file's SHA-256 against it before a photo is segmented.
// Unknown fields are refused so a typo does not silently fall back.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { conceptPhrase } from "@s3/contract";
import { ClipTokenizer } from "./tokenizer";

const rgb = z.tuple([z.number(), z.number(), z.number()]);

/** One tensor as the export declares it: a number is a fixed size, a string a symbolic (dynamic) axis. */
const tensorSchema = z
  .object({
    name: z.string().min(1),
    shape: z.array(z.union([z.number().int().min(0), z.string().min(1)])),
    type: z.string().min(1),
  })
  .strict();
const graphSchema = z.object({ inputs: z.array(tensorSchema), outputs: z.array(tensorSchema) }).strict();

export type TensorSpec = z.infer<typeof tensorSchema>;
export type GraphSpec = z.infer<typeof graphSchema>;
export type GraphKey = "imageEncoder" | "textEncoder" | "maskDecoder";

const manifestSchema = z
  .object({
    /** Shown in /health and logs, e.g. "sam3 facebook/sam3@<revision> onnx-1008-fp32". */
    modelVersion: z.string().min(1),
    /**
     * "sam3": image encoder + text encoder + mask decoder (SAM 3). "mask-map": one graph whose
     * first output is a per-pixel probability map of one concept (`mapConcept`); each connected
     * region over `maskThreshold` is an instance (a text detector as a Label_Text segmenter).
     */
    architecture: z.enum(["sam3", "mask-map"]).default("sam3"),
    mapConcept: z.string().min(1).optional(),
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
    /** File name → lower-case hex SHA-256, for every graph and tokenizer file the model uses. */
    sha256: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits")),
    /** Every input and output of every graph, as the export wrote them. */
    tensors: z
      .object({ imageEncoder: graphSchema, textEncoder: graphSchema.optional(), maskDecoder: graphSchema.optional() })
      .strict(),
    /** The licence text shipped beside the weights (SAM License for SAM 3). */
    license: z.string().min(1).optional(),
    /** CLIP's gzipped merges file, Hugging Face's vocab.json + merges.txt, or its tokenizer.json. */
    tokenizer: z
      .union([
        z.object({ bpe: z.string() }).strict(),
        z.object({ vocab: z.string(), merges: z.string() }).strict(),
        z.object({ json: z.string() }).strict(),
      ])
      .default({ bpe: "bpe_simple_vocab_16e6.txt.gz" }),
    imageSize: z.number().int().min(16).max(4096).default(1008),
    /** SAM 3 stretches to a square; "letterbox" keeps the aspect and pads right and bottom. */
    resize: z.enum(["stretch", "letterbox"]).default("stretch"),
    /** Per channel, on 0..1 values: x = (v / 255 - mean) / std. SAM 3 uses 0.5 / 0.5. */
    mean: rgb.default([0.5, 0.5, 0.5]),
    std: rgb.default([0.5, 0.5, 0.5]),
    contextLength: z.number().int().min(3).max(512).default(32),
    /** Padding token id; defaults to the end-of-text id, as Hugging Face's CLIP tokenizer pads. */
    padId: z.number().int().min(0).optional(),
    /** sam3: kept when sigmoid(pred_logits) · sigmoid(presence_logits) > this; mask-map: mean probability. */
    scoreThreshold: z.number().min(0).max(1).default(0.5),
    /** A pixel is inside when its upsampled mask value > this (a logit for sam3, a probability for mask-map). */
    maskThreshold: z.number().default(0),
    /** Concept name → prompt text, overriding the contract's prompt table (PROMPTS) for this export. */
    prompts: z.record(z.string(), z.string().min(1)).default({}),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    if (manifest.architecture === "sam3") {
      for (const key of ["textEncoder", "maskDecoder"] as const)
        if (!manifest.tensors[key]) ctx.addIssue({ code: "custom", path: ["tensors", key], message: "required" });
    } else if (!manifest.mapConcept) {
      ctx.addIssue({ code: "custom", path: ["mapConcept"], message: "required for a mask-map model" });
    }
  });

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
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `${path} is missing: the export writes it beside the .onnx files (docs/deploy.md, "Model files")`
        : `cannot read ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`bad ${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** The graph files the architecture runs, keyed by graph. */
export function graphFiles(manifest: Manifest): Partial<Record<GraphKey, string>> {
  const { imageEncoder, textEncoder, maskDecoder } = manifest.files;
  return manifest.architecture === "sam3" ? { imageEncoder, textEncoder, maskDecoder } : { imageEncoder };
}

/** Every file the model reads: its graphs, then (sam3) its tokenizer. */
export function modelFiles(manifest: Manifest): string[] {
  const graphs = Object.values(graphFiles(manifest));
  return manifest.architecture === "sam3" ? [...graphs, ...Object.values(manifest.tokenizer)] : graphs;
}

/** Fails with the missing file's name before any session is created. */
export async function requireFiles(modelDir: string, manifest: Manifest): Promise<void> {
  for (const name of [...modelFiles(manifest), ...(manifest.license ? [manifest.license] : [])]) {
    try {
      await access(join(modelDir, name));
    } catch {
      throw new Error(`model file missing: ${join(modelDir, name)} (docs/deploy.md, "Model files")`);
    }
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Every file the model reads hashes to model.json's sha256 (a torn copy or another export fails here). */
export async function verifyChecksums(modelDir: string, manifest: Manifest): Promise<void> {
  for (const name of modelFiles(manifest)) {
    const expected = manifest.sha256[name];
    if (!expected) throw new Error(`model.json has no sha256 for ${name}`);
    const actual = await sha256(join(modelDir, name));
    if (actual !== expected)
      throw new Error(`${join(modelDir, name)} has SHA-256 ${actual}, model.json says ${expected}: a different file`);
  }
}

/** The concept's prompt: the export's override, else the contract's table. */
export function conceptPrompt(concept: string, manifest: Pick<Manifest, "prompts">): string {
  return manifest.prompts[concept] ?? conceptPhrase(concept);
}
