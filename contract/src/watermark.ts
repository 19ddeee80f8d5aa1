// Where a free plan's output carries its watermark: the only pixels the watermark may change.
// The applier draws inside this box and tests check the rest of the photo is untouched.
export const WATERMARK_TEXT = "S3 PREVIEW";

/** The box the watermark occupies: the only pixels it may change, bottom-right corner. */
export function watermarkRegion(
  width: number,
  height: number,
): { x: number; y: number; width: number; height: number } {
  const columns = WATERMARK_TEXT.length * 6 - 1;
  const scale = Math.max(1, Math.floor((width * 0.25) / columns));
  const pad = 2 * scale;
  const boxWidth = Math.min(width, columns * scale + 2 * pad),
    boxHeight = Math.min(height, 7 * scale + 2 * pad);
  return {
    x: Math.max(0, width - boxWidth - pad),
    y: Math.max(0, height - boxHeight - pad),
    width: boxWidth,
    height: boxHeight,
  };
}
