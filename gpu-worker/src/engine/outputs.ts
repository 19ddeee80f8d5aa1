// What one item leaves in R2 (docs/storage.md): the result in the job's output format, preview JPEG,
// a 1-channel mask PNG per rule and protect concept (the union of its instances), the instances JSON, and the
// photo's set files when the job names a template (docs/sets.md).
import {
  OUTPUT_CONTENT_TYPE,
  setFileKey,
  storageKeys,
  type Bbox,
  type QueueItem,
  type QueueMessage,
  type RgbImage,
  type SetFile,
} from "@s3/contract";
import { drawWatermark } from "./apply";
import { encodeMaskPng, encodePreviewSized, encodeResult } from "./image";
import type { ConceptMasks } from "./segmenter/types";
import { renderSet, renderVariants } from "./sets";
import { sameRule, setPlan } from "./sets/plan";

export interface OutputFile {
  key: string;
  body: Uint8Array;
  contentType: string;
  /** A set file: what the item's callback reports for it. */
  set?: SetFile;
  /** A variant's result that equals the input (its report flags it). */
  unchanged?: boolean;
}

/** One row of `{idx}_instances.json`. */
export interface InstanceRecord {
  concept: string;
  instance_id: number;
  bbox: Bbox;
  area: number;
  score: number;
}

export function instanceRecords(instances: ConceptMasks): InstanceRecord[] {
  return [...instances.values()].flat().map((instance) => ({
    concept: instance.concept,
    instance_id: instance.id,
    bbox: instance.bbox,
    area: instance.area,
    score: instance.score,
  }));
}

export interface OutputInput {
  message: Pick<
    QueueMessage,
    | "user_id"
    | "job_id"
    | "preset"
    | "concepts"
    | "protect"
    | "watermark"
    | "locale"
    | "output_template"
    | "variants"
    | "output_format"
  >;
  item: QueueItem;
  /** The decoded input: the set's "before" and the variants' source. */
  image: RgbImage;
  width: number;
  height: number;
  /** The rule's result, without the watermark: encodeOutputs draws it for a watermarked job. */
  result: Uint8Array;
  /** concept → union mask, for every rule concept and protect concept. */
  masks: Map<string, Uint8Array>;
  instances: ConceptMasks;
}

/**
 * The photo's set files for the message's template, rendered from the unwatermarked result; none without one.
 * `encodedResult`: the result as stored (watermarked like the set, in the job's format), reused for a first
 * variant that is the result.
 */
export async function encodeSet(input: OutputInput, encodedResult?: Promise<Buffer>): Promise<OutputFile[]> {
  const { message, item, image, result, instances } = input;
  const plan = setPlan(message);
  if (!plan) return [];
  // The main result is the first variant's when their rules agree: that variant is not applied twice.
  const reuse = plan.variants.length > 0 && sameRule(message.concepts, plan.variants[0]!.concepts);
  const variants = plan.variants.length
    ? renderVariants(image, instances, message.protect, plan.variants, reuse ? result : undefined, message.watermark)
    : undefined;
  const images = await renderSet(plan.slug, {
    idx: item.idx,
    image,
    result,
    concepts: message.concepts,
    instances,
    variants,
    watermark: message.watermark,
    locale: message.locale,
    format: message.output_format,
    ...(reuse && encodedResult ? { firstResult: encodedResult } : {}),
  });
  return images.map((file) => {
    const key = setFileKey(
      { user: message.user_id, job: message.job_id, idx: item.idx },
      plan.slug,
      file.role,
      file.part,
      message.output_format,
    );
    const { role, part, variant, width, height, contentType } = file;
    return {
      key,
      body: file.body,
      contentType,
      set: { role, part, variant, key, width, height, bytes: file.body.byteLength, content_type: contentType },
      ...(file.unchanged ? { unchanged: true } : {}),
    };
  });
}

function reported(
  role: "result" | "preview",
  key: string,
  width: number,
  height: number,
  bytes: number,
  content_type: SetFile["content_type"],
): SetFile {
  return { role, part: role, variant: null, key, width, height, bytes, content_type };
}

export async function encodeOutputs(input: OutputInput): Promise<OutputFile[]> {
  const { message, item, width, height, masks, instances } = input;
  // The set reads the clean result while the result and preview get the free plan's watermark.
  let result = input.result;
  if (message.watermark) drawWatermark((result = result.slice()), width, height);
  // The encodes start first: the variants' apply steps run while libvips encodes.
  const format = message.output_format;
  const encoded = encodeResult(format, width, height, result);
  const [[resultBody, preview, ...maskPngs], setFiles] = await Promise.all([
    Promise.all([
      encoded,
      encodePreviewSized(width, height, result),
      ...[...masks.values()].map((mask) => encodeMaskPng(width, height, mask)),
    ]),
    encodeSet(input, encoded),
  ]);
  const concepts = [...masks.keys()];
  return [
    // Reported with their sizes, so the set's manifest lists every file without reading R2.
    {
      key: item.output_key,
      body: resultBody!,
      contentType: OUTPUT_CONTENT_TYPE[format],
      set: reported("result", item.output_key, width, height, resultBody!.byteLength, OUTPUT_CONTENT_TYPE[format]),
    },
    {
      key: item.preview_key,
      body: preview!.body,
      contentType: "image/jpeg",
      set: reported(
        "preview",
        item.preview_key,
        preview!.width,
        preview!.height,
        preview!.body.byteLength,
        "image/jpeg",
      ),
    },
    ...maskPngs.map((body, index) => ({
      key: storageKeys.mask(message.user_id, message.job_id, item.idx, concepts[index]!),
      body,
      contentType: "image/png",
    })),
    {
      key: storageKeys.instances(message.user_id, message.job_id, item.idx),
      body: new TextEncoder().encode(JSON.stringify(instanceRecords(instances))),
      contentType: "application/json",
    },
    ...setFiles,
  ];
}
