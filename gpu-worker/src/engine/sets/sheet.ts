// Panels side by side at one height between a caption band and a footer band of the same height: the
// layout of `before_after` and `options`. The free plan's mark sits at the footer's right end.
import type { Bbox, Locale, RgbImage } from "@s3/contract";

import { blank, blit, even, resize } from "./canvas";
import { captionBand, captionSize } from "./labels";
import { drawMark, markBox } from "./mark";
import { drawUnchangedRibbon } from "./ribbon";

/** Panels are scaled down to at most this many rows: a sheet is for viewing, the results carry full size. */
export const SHEET_PANEL_HEIGHT = 1200;

export interface SheetLayout {
  width: number;
  height: number;
  /** Caption band across the top: [0, 0, width, band]. */
  band: number;
  captionSize: number;
  /** Where each panel lies, left to right. */
  panels: Bbox[];
  /** Where the free plan's mark goes: in the footer, below the panels, clear of every caption. */
  mark: Bbox;
}

/** Geometry of `count` panels from photos `width` × `height`. */
export function sheetLayout(width: number, height: number, count: number): SheetLayout {
  const panelHeight = Math.min(height, SHEET_PANEL_HEIGHT);
  const panelWidth = Math.max(1, Math.round((width * panelHeight) / height));
  const size = captionSize(panelHeight);
  const gutter = Math.max(8, Math.round(panelHeight * 0.02));
  const band = Math.round(size * 2.2);
  const panels = Array.from({ length: count }, (_, i): Bbox => [
    gutter + i * (panelWidth + gutter),
    band,
    panelWidth,
    panelHeight,
  ]);
  const sheetWidth = even(gutter + count * (panelWidth + gutter));
  return {
    width: sheetWidth,
    height: even(band + panelHeight + band),
    band,
    captionSize: size,
    panels,
    mark: markBox(sheetWidth - gutter, band + panelHeight, band, Math.round(size * 0.6)),
  };
}

export interface Panel {
  image: RgbImage;
  caption: string;
  /** Its image equals the input: the panel carries the "unchanged" ribbon. */
  unchanged?: boolean;
}

/** The panels (all of one size) side by side, each captioned above; the watermark last, when asked. */
export async function renderSheet(panels: readonly Panel[], watermark: boolean, locale: Locale): Promise<RgbImage> {
  const { width, height } = panels[0]!.image;
  if (panels.some((panel) => panel.image.width !== width || panel.image.height !== height))
    throw new Error("every panel of a sheet must have the photo's size");
  const layout = sheetLayout(width, height, panels.length);
  const sheet = blank(layout.width, layout.height);
  const captions = layout.panels.map(([x, , w], i) => ({ text: panels[i]!.caption, x, width: w }));
  const [band, ...scaled] = await Promise.all([
    captionBand(layout.width, layout.band, captions, layout.captionSize),
    ...panels.map((panel, i) => resize(panel.image, layout.panels[i]![2], layout.panels[i]![3])),
  ]);
  blit(sheet, band!, 0, 0);
  scaled.forEach((image, i) => blit(sheet, image, layout.panels[i]![0], layout.panels[i]![1]));
  await Promise.all(
    panels.map((panel, i) => (panel.unchanged ? drawUnchangedRibbon(sheet, ...layout.panels[i]!, locale) : null)),
  );
  if (watermark) await drawMark(sheet, layout.mark);
  return sheet;
}
