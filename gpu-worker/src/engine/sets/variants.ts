// Per-variant results: one segmentation, the rule's apply step once per variant over the same masks.
import type { RgbImage, Variant } from "@s3/contract";
import { applyRule } from "../apply";
import { conceptUnions } from "../concept-edits";
import { equalOutside, excludedBox } from "../report";
import type { ConceptMasks } from "../segmenter/types";

export interface RenderedVariant extends Variant {
  /** The variant's result at the photo's size, without the watermark. */
  image: RgbImage;
  /** Its result equals the input outside the watermark: the sets mark it, the report flags it. */
  unchanged: boolean;
}

/**
 * Each variant's result from the photo and its segmentation. A concept's union mask is built
 * once and shared by every variant that edits it; protect applies to all of them.
 * `firstResult`: the job's main result, which is the first variant's, reused as is.
 */
export function renderVariants(
  image: RgbImage,
  instances: ConceptMasks,
  protect: readonly string[],
  variants: readonly Variant[],
  firstResult?: Uint8Array,
  watermark = false,
): RenderedVariant[] {
  const { width, height } = image;
  const excluded = excludedBox(watermark, width, height);
  const rendered = (variant: Variant, data: Uint8Array): RenderedVariant => ({
    ...variant,
    image: { width, height, data },
    unchanged: equalOutside(image.data, data, width, excluded),
  });
  const unions = conceptUnions(instances, width, height);
  const protectUnion = unions.protect(protect);
  return variants.map((variant, i) => {
    if (i === 0 && firstResult) return rendered(variant, firstResult);
    const data = applyRule({
      image,
      edits: unions.edits(variant.concepts),
      protect: protectUnion?.mask ?? null,
      protectBbox: protectUnion?.bbox ?? null,
      watermark: false,
    });
    return rendered(variant, data);
  });
}
