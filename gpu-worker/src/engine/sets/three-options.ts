// three_options `options`: the variants' results side by side, each captioned with its display name.
import type { Locale, RgbImage } from "@s3/contract";

import { variantCaption } from "./labels";
import { renderSheet } from "./sheet";
import type { RenderedVariant } from "./variants";

export function renderOptions(
  variants: readonly RenderedVariant[],
  watermark: boolean,
  locale: Locale,
): Promise<RgbImage> {
  if (variants.length === 0) throw new Error("an options sheet needs at least one variant");
  return renderSheet(
    variants.map((variant) => ({
      image: variant.image,
      caption: variantCaption(variant.name, locale),
      unchanged: variant.unchanged,
    })),
    watermark,
    locale,
  );
}
