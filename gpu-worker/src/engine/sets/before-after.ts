// before_after: the input and the result side by side, same height, captioned "Before" / "After" in the
// job's language.
import type { Locale, RgbImage } from "@s3/contract";

import { SET_WORDS } from "./labels";
import { renderSheet } from "./sheet";

export function renderBeforeAfter(
  input: RgbImage,
  result: Uint8Array,
  watermark: boolean,
  locale: Locale,
): Promise<RgbImage> {
  return renderSheet(
    [
      { image: input, caption: SET_WORDS.before[locale] },
      { image: { width: input.width, height: input.height, data: result }, caption: SET_WORDS.after[locale] },
    ],
    watermark,
    locale,
  );
}
