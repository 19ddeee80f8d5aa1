// before_after: the input and the result side by side, same height, captioned "Before" / "After".
import type { RgbImage } from "@s3/contract";

import { renderSheet } from "./sheet";

export function renderBeforeAfter(input: RgbImage, result: Uint8Array, watermark: boolean): Promise<RgbImage> {
  return renderSheet(
    [
      { image: input, caption: "Before" },
      { image: { width: input.width, height: input.height, data: result }, caption: "After" },
    ],
    watermark,
  );
}
