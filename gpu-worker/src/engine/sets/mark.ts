// The free plan's mark on a composed set image (share card, sheets, board): the watermark's text in the
// caption typeface on a light pill, in a box each layout keeps clear of captions and swatches (docs/sets.md).
// Photos alone (results, variants, pack squares, thumbnails) carry the applier's watermark instead.
import { WATERMARK_TEXT, type Bbox, type RgbImage } from "@s3/contract";
import { blit, MUTED, svgImage } from "./canvas";
import { textPath, textWidth } from "./font";
import { centredBaseline } from "./labels";

const PILL = "#f0f0f0",
  EDGE = "#d6d6d6";

/** The mark's box for text `size` px, right-aligned at `right`, centred in the band [top, top + band). */
export function markBox(right: number, top: number, band: number, size: number): Bbox {
  const height = Math.round(size * 1.9);
  const width = Math.round(textWidth(WATERMARK_TEXT, size) + size * 1.6);
  return [Math.round(right - width), Math.round(top + (band - height) / 2), width, height];
}

/** Draws the mark filling `box` of `target` (box from markBox: its height sets the text size). */
export async function drawMark(target: RgbImage, [x, y, width, height]: Bbox): Promise<void> {
  const size = Math.round(height / 1.9);
  const pill =
    `<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="${(height - 1) / 2}" ` +
    `fill="${PILL}" stroke="${EDGE}"/>` +
    textPath(WATERMARK_TEXT, width / 2, centredBaseline(0, height, size), size, MUTED, "middle");
  blit(target, await svgImage(width, height, pill), x, y);
}

/** Whether two boxes share a pixel. */
export function overlaps(a: Bbox, b: Bbox): boolean {
  return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
}
