// Generated scenes segmented by the cpu stand-in (exact on scenes), with results and variants.
import type { QueueMessage, RgbImage, Variant } from "@s3/contract";
import { applyRule } from "../../../src/engine/apply";
import { unionOf } from "../../../src/engine/concept-edits";
import { interiorScene, sellerScene } from "@s3/contract/testing";
import { createCpuSegmenter } from "../../../src/engine/segmenter/cpu";
import { renderVariants, type SetInputs } from "../../../src/engine/sets";

export async function photo(
  preset: "interior" | "seller",
  rule: QueueMessage["concepts"],
  protect: string[],
  variants: Variant[] = [],
  [width, height]: [number, number] = [320, 240],
) {
  const scene = preset === "interior" ? interiorScene(width, height, 4) : sellerScene(width, height, 4);
  const { image } = scene;
  const job = await createCpuSegmenter().forJob([
    ...new Set([...Object.keys(rule), ...protect, ...variants.flatMap((v) => Object.keys(v.concepts))]),
  ]);
  const instances = await job.segment(image);
  const protectUnion = unionOf(instances, protect, image.width, image.height);
  const result = applyRule({
    image,
    edits: Object.entries(rule).map(([concept, action]) => ({
      concept,
      ...action,
      ...unionOf(instances, concept, image.width, image.height),
    })),
    protect: protect.length ? protectUnion.mask : null,
    watermark: false,
  });
  const inputs: SetInputs = {
    idx: 0,
    image,
    result,
    concepts: rule,
    instances,
    variants: renderVariants(image, instances, protect, variants),
    watermark: false,
    locale: "en",
    format: "png",
  };
  return { scene, inputs };
}

/** The [x, y, w, h] part of an image, as its own buffer. */
export function crop(image: RgbImage, [x, y, w, h]: readonly number[]): Uint8Array {
  const out = new Uint8Array(w! * h! * 3);
  for (let r = 0; r < h!; r++)
    out.set(image.data.subarray(((y! + r) * image.width + x!) * 3, ((y! + r) * image.width + x! + w!) * 3), r * w! * 3);
  return out;
}

/** Pixels in the region darker than a caption's ink threshold (luma < 96). */
export function darkPixels(image: RgbImage, box: readonly number[]): number {
  const data = crop(image, box);
  let n = 0;
  for (let p = 0; p < data.length; p += 3) if (0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]! < 96) n++;
  return n;
}

export function pixelAt(image: RgbImage, x: number, y: number): [number, number, number] {
  const q = (y * image.width + x) * 3;
  return [image.data[q]!, image.data[q + 1]!, image.data[q + 2]!];
}

export const hexOf = ([r, g, b]: readonly number[]) =>
  `#${[r!, g!, b!].map((v) => v.toString(16).padStart(2, "0")).join("")}`.toUpperCase();
