// Per-variant results: one segmentation, the rule's apply step once per variant over the same masks.
import type { RgbImage, Variant } from "@s3/contract";
import { applyRule, type ConceptEdit } from "../apply";
import { unionOf } from "../outputs";
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
  const unions = new Map<string, ReturnType<typeof unionOf>>();
  const union = (concept: string) => {
    let found = unions.get(concept);
    if (!found) unions.set(concept, (found = unionOf(instances, concept, width, height)));
    return found;
  };
  const protectUnion = protect.length > 0 ? unionOf(instances, protect, width, height) : null;
  return variants.map((variant, i) => {
    if (i === 0 && firstResult) return rendered(variant, firstResult);
    const edits: ConceptEdit[] = Object.entries(variant.concepts).map(([concept, rule]) => ({
      concept,
      ...rule,
      ...union(concept),
    }));
    const data = applyRule({
      image,
      edits,
      protect: protectUnion?.mask ?? null,
      protectBbox: protectUnion?.bbox ?? null,
      watermark: false,
    });
    return rendered(variant, data);
  });
}
