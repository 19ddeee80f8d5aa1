// share_card: 1200 px wide; before and after, then the rule's palette: one row per edited
// concept with its name, "action · value" in the job's language, a colour swatch and, for a
// recolor, the colour's hex. The free plan's mark sits right of the "Palette" heading.
import { displayName, valueName, type Bbox, type Locale, type RgbImage } from "@s3/contract";

import { blit, even, INK, MUTED, resize, svgImage } from "./canvas";
import { fitText, textPath } from "./font";
import { centredBaseline, SET_WORDS, swatchSvg, type PaletteRow } from "./labels";
import { drawMark, markBox } from "./mark";

export const CARD_WIDTH = 1200;
const MARGIN = 40,
  GAP = 24,
  CAPTION = 28,
  CAPTION_BAND = 60,
  HEADING = 30,
  ROW = 64,
  SWATCH = 44,
  ROW_TEXT = 26,
  MARK_TEXT = 18;

export function cardLayout(width: number, height: number, rows: number) {
  const panelWidth = (CARD_WIDTH - 2 * MARGIN - GAP) / 2;
  const panelHeight = Math.max(1, Math.round((panelWidth * height) / width));
  const panelTop = MARGIN / 2 + CAPTION_BAND;
  const headingTop = panelTop + panelHeight + MARGIN;
  const rowsTop = headingTop + HEADING * 2;
  const hexRight = CARD_WIDTH - MARGIN;
  return {
    width: CARD_WIDTH,
    height: even(rowsTop + rows * ROW + MARGIN),
    panelWidth,
    panelHeight,
    panelTop,
    headingTop,
    rowsTop,
    before: [MARGIN, panelTop] as const,
    after: [MARGIN + panelWidth + GAP, panelTop] as const,
    /** Where the free plan's mark goes: the heading row's right end, clear of every row's swatch and hex. */
    mark: markBox(hexRight, headingTop, HEADING * 2, MARK_TEXT),
    /** Each palette row's box (swatch, names, hex): what the mark must stay clear of. */
    rows: Array.from({ length: rows }, (_, i): Bbox => [MARGIN, rowsTop + i * ROW, hexRight - MARGIN, ROW]),
  };
}

export async function renderShareCard(
  input: RgbImage,
  result: Uint8Array,
  palette: readonly PaletteRow[],
  watermark: boolean,
  locale: Locale,
): Promise<RgbImage> {
  const layout = cardLayout(input.width, input.height, palette.length);
  const { panelWidth, panelHeight } = layout;
  const captionBaseline = centredBaseline(MARGIN / 2, CAPTION_BAND, CAPTION);
  const text: string[] = [
    textPath(SET_WORDS.before[locale], layout.before[0] + panelWidth / 2, captionBaseline, CAPTION, INK, "middle"),
    textPath(SET_WORDS.after[locale], layout.after[0] + panelWidth / 2, captionBaseline, CAPTION, INK, "middle"),
    textPath(SET_WORDS.palette[locale], MARGIN, centredBaseline(layout.headingTop, HEADING * 2, HEADING), HEADING, INK),
  ];
  // Columns: swatch, concept, "action · value", hex (right-aligned, recolors only).
  const conceptX = MARGIN + SWATCH + 20,
    actionX = MARGIN + 360,
    hexRight = CARD_WIDTH - MARGIN;
  palette.forEach((row, i) => {
    const top = layout.rowsTop + i * ROW;
    const baseline = centredBaseline(top, ROW, ROW_TEXT);
    const concept = displayName("concepts", row.concept, locale);
    const action = `${displayName("actions", row.action, locale)} · ${valueName(row.action, row.value, locale)}`;
    text.push(
      `<line x1="${MARGIN}" x2="${hexRight}" y1="${top + 0.5}" y2="${top + 0.5}" stroke="#e2e2e2"/>`,
      swatchSvg(MARGIN, top + (ROW - SWATCH) / 2, SWATCH, row.swatch),
      textPath(fitText(concept, ROW_TEXT, actionX - conceptX - 16), conceptX, baseline, ROW_TEXT, INK),
      textPath(fitText(action, ROW_TEXT, row.hex ? 480 : hexRight - actionX), actionX, baseline, ROW_TEXT, MUTED),
      row.hex ? textPath(row.hex, hexRight, baseline, ROW_TEXT, INK, "end") : "",
    );
  });
  const [card, before, after] = await Promise.all([
    svgImage(layout.width, layout.height, text.join("")),
    resize(input, panelWidth, panelHeight),
    resize({ ...input, data: result }, panelWidth, panelHeight),
  ]);
  blit(card, before, ...layout.before);
  blit(card, after, ...layout.after);
  if (watermark) await drawMark(card, layout.mark);
  return card;
}
