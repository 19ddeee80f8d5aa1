// share_card: 1200 px wide; before and after, then the rule's palette: one row per edited
// concept with its action, value name, a colour swatch and the swatch's hex.
import type { RgbImage } from "@s3/contract";
import { drawWatermark } from "../apply";

import { blit, INK, MUTED, resize, svgImage } from "./canvas";
import { fitText, textPath } from "./font";
import { centredBaseline, swatchSvg, type PaletteRow } from "./labels";

export const CARD_WIDTH = 1200;
const MARGIN = 40,
  GAP = 24,
  CAPTION = 28,
  CAPTION_BAND = 60,
  HEADING = 30,
  ROW = 64,
  SWATCH = 44,
  ROW_TEXT = 26;

export function cardLayout(width: number, height: number, rows: number) {
  const panelWidth = (CARD_WIDTH - 2 * MARGIN - GAP) / 2;
  const panelHeight = Math.max(1, Math.round((panelWidth * height) / width));
  const panelTop = MARGIN / 2 + CAPTION_BAND;
  const headingTop = panelTop + panelHeight + MARGIN;
  const rowsTop = headingTop + HEADING * 2;
  return {
    width: CARD_WIDTH,
    height: rowsTop + rows * ROW + MARGIN,
    panelWidth,
    panelHeight,
    panelTop,
    headingTop,
    rowsTop,
    before: [MARGIN, panelTop] as const,
    after: [MARGIN + panelWidth + GAP, panelTop] as const,
  };
}

export async function renderShareCard(
  input: RgbImage,
  result: Uint8Array,
  palette: readonly PaletteRow[],
  watermark: boolean,
): Promise<RgbImage> {
  const layout = cardLayout(input.width, input.height, palette.length);
  const { panelWidth, panelHeight } = layout;
  const captionBaseline = centredBaseline(MARGIN / 2, CAPTION_BAND, CAPTION);
  const text: string[] = [
    textPath("Before", layout.before[0] + panelWidth / 2, captionBaseline, CAPTION, INK, "middle"),
    textPath("After", layout.after[0] + panelWidth / 2, captionBaseline, CAPTION, INK, "middle"),
    textPath("Palette", MARGIN, centredBaseline(layout.headingTop, HEADING * 2, HEADING), HEADING, INK),
  ];
  // Columns: swatch, concept, "action · value", hex (right-aligned).
  const conceptX = MARGIN + SWATCH + 20,
    actionX = MARGIN + 360,
    hexRight = CARD_WIDTH - MARGIN;
  palette.forEach((row, i) => {
    const top = layout.rowsTop + i * ROW;
    const baseline = centredBaseline(top, ROW, ROW_TEXT);
    text.push(
      `<line x1="${MARGIN}" x2="${hexRight}" y1="${top + 0.5}" y2="${top + 0.5}" stroke="#e2e2e2"/>`,
      swatchSvg(MARGIN, top + (ROW - SWATCH) / 2, SWATCH, row.hex),
      textPath(fitText(row.concept, ROW_TEXT, actionX - conceptX - 16), conceptX, baseline, ROW_TEXT, INK),
      textPath(fitText(`${row.action} · ${row.value}`, ROW_TEXT, 480), actionX, baseline, ROW_TEXT, MUTED),
      textPath(row.hex, hexRight, baseline, ROW_TEXT, INK, "end"),
    );
  });
  const [card, before, after] = await Promise.all([
    svgImage(layout.width, layout.height, text.join("")),
    resize(input, panelWidth, panelHeight),
    resize({ ...input, data: result }, panelWidth, panelHeight),
  ]);
  blit(card, before, ...layout.before);
  blit(card, after, ...layout.after);
  if (watermark) drawWatermark(card.data, card.width, card.height);
  return card;
}
