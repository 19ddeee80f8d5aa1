// What one item leaves in R2 (SPEC §10): result PNG, preview JPEG, a 1-channel mask PNG
// per rule and protect concept (the union of its instances), and the instances JSON.
import { storageKeys, type QueueItem, type QueueMessage } from "@s3/worker/contract";
import { encodeMaskPng, encodePreview, encodeResultPng } from "./image";
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
  bbox: [number, number, number, number];
  area: number;
  score: number;
}

/** The union of a concept's instances; the instance's own mask when there is just one. */
export function unionOf(instances: ConceptMasks, concept: string, size: number): Uint8Array {
  const list = instances.get(concept) ?? [];
  if (list.length === 1) return list[0]!.mask;
  const union = new Uint8Array(size);
  for (const instance of list) {
    const mask = instance.mask;
    for (let p = 0; p < size; p++) union[p]! |= mask[p]!;
  }
  return union;
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
    ...maskPngs.map((body, index) => ({ key: storageKeys.mask(message.user_id, message.job_id, item.idx, concepts[index]!), body, contentType: "image/png" })),
    {
      key: storageKeys.instances(message.user_id, message.job_id, item.idx),
      body: new TextEncoder().encode(JSON.stringify(instanceRecords(instances))),
      contentType: "application/json",
    },
  ];
}
