// three_options `options`: the variants' results side by side, each captioned with its name.
import type { RgbImage } from "@s3/contract";

import { renderSheet } from "./sheet";
import type { RenderedVariant } from "./variants";

export function renderOptions(variants: readonly RenderedVariant[], watermark: boolean): Promise<RgbImage> {
  if (variants.length === 0) throw new Error("an options sheet needs at least one variant");
  return renderSheet(
    variants.map((variant) => ({ image: variant.image, caption: variant.name, unchanged: variant.unchanged })),
    watermark,
  );
}
