// The "unchanged" ribbon: a band across the top of a variant's tile or panel whose result equals
// the input, so a sheet never presents an edit that did nothing as done (docs/reports.md).
import type { Locale, RgbImage } from "@s3/contract";
import { blit, svgImage } from "./canvas";
import { fitText, textPath } from "./font";
import { centredBaseline, SET_WORDS } from "./labels";

/** Amber: reads as a warning on photos light or dark. */
export const RIBBON_COLOR = "#c2410c";

/** The ribbon's height over a tile `width` × `height`: about a tenth of the tile, 20–64 px. */
export function ribbonHeight(width: number, height: number): number {
  return Math.max(20, Math.min(64, Math.round(Math.min(width, height) * 0.1)));
}

/** Draws the ribbon across the top of the `width` × `height` tile at (x, y) of `target`. */
export async function drawUnchangedRibbon(
  target: RgbImage,
  x: number,
  y: number,
  width: number,
  height: number,
  locale: Locale,
): Promise<void> {
  const band = ribbonHeight(width, height);
  const size = Math.round(band * 0.5);
  const text = fitText(SET_WORDS.unchanged[locale], size, width - size);
  const ribbon = await svgImage(
    width,
    band,
    textPath(text, width / 2, centredBaseline(0, band, size), size, "#ffffff", "middle"),
    RIBBON_COLOR,
  );
  blit(target, ribbon, x, y);
}
