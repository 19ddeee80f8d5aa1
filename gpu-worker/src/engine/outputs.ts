// What one item leaves in R2 (docs/storage.md): result PNG, preview JPEG, a 1-channel mask PNG
// per rule and protect concept (the union of its instances), and the instances JSON.
import { storageKeys, type Bbox, type QueueItem, type QueueMessage } from "@s3/contract";
import { encodeMaskPng, encodePreview, encodeResultPng } from "./image";
import { copyInstance, paintInstance } from "./segmenter/masks";
import type { ConceptMasks } from "./segmenter/types";

export interface OutputFile {
  key: string;
  body: Uint8Array;
  contentType: string;
}

/** One row of `{idx}_instances.json`. */
export interface InstanceRecord {
  concept: string;
  instance_id: number;
  bbox: Bbox;
  area: number;
  score: number;
}

/**
 * The union of the instances of `concepts` as a full-size mask, with its bounding box. Each
 * instance's cropped mask (segmenter/masks.ts) is painted inside its box only.
 */
export function unionOf(
  instances: ConceptMasks,
  concepts: string | readonly string[],
  width: number,
  height: number,
): { mask: Uint8Array; bbox: Bbox | null } {
  const list = (typeof concepts === "string" ? [concepts] : concepts).flatMap(
    (concept) => instances.get(concept) ?? [],
  );
  const bbox = list.reduce<Bbox | null>((box, instance) => mergeBbox(box, instance.bbox), null);
  const union = new Uint8Array(width * height);
  // The first instance is copied row by row (the union is still empty there); the rest are ORed in.
  list.forEach((instance, at) => (at === 0 ? copyInstance : paintInstance)(union, width, instance));
  return { mask: union, bbox };
}

function mergeBbox(a: Bbox | null, b: Bbox): Bbox {
  if (!a) return b;
  const x0 = Math.min(a[0], b[0]),
    y0 = Math.min(a[1], b[1]);
  const x1 = Math.max(a[0] + a[2], b[0] + b[2]),
    y1 = Math.max(a[1] + a[3], b[1] + b[3]);
  return [x0, y0, x1 - x0, y1 - y0];
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
  message: Pick<QueueMessage, "user_id" | "job_id">;
  item: QueueItem;
  width: number;
  height: number;
  result: Uint8Array;
  /** concept → union mask, for every rule concept and protect concept. */
  masks: Map<string, Uint8Array>;
  instances: ConceptMasks;
}

export async function encodeOutputs(input: OutputInput): Promise<OutputFile[]> {
  const { message, item, width, height, result, masks, instances } = input;
  const [resultPng, preview, ...maskPngs] = await Promise.all([
    encodeResultPng(width, height, result),
    encodePreview(width, height, result),
    ...[...masks.values()].map((mask) => encodeMaskPng(width, height, mask)),
  ]);
  const concepts = [...masks.keys()];
  return [
    { key: item.output_key, body: resultPng!, contentType: "image/png" },
    { key: item.preview_key, body: preview!, contentType: "image/jpeg" },
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
  ];
}
