// Captions in a real typeface, drawn as SVG outlines so librsvg needs no installed font:
// Inter SemiBold for Latin text, Noto Sans KR for what Inter lacks (Hangul names).
// Both TTFs ship in npm packages (OFL-1.1), so the Docker image carries them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Font, Glyph } from "opentype.js";

const require = createRequire(import.meta.url);
// Its ESM build has no default export and its UMD build no static named ones: load it as CommonJS.
const opentype = require("opentype.js") as typeof import("opentype.js");
const FONT_FILES = {
  latin: "@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf",
  fallback: "@expo-google-fonts/noto-sans-kr/600SemiBold/NotoSansKR_600SemiBold.ttf",
} as const;

const loaded = new Map<keyof typeof FONT_FILES, Font>();
function font(which: keyof typeof FONT_FILES): Font {
  let found = loaded.get(which);
  if (!found) {
    const bytes = readFileSync(require.resolve(FONT_FILES[which]));
    found = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    loaded.set(which, found);
  }
  return found;
}

interface PlacedGlyph {
  font: Font;
  glyph: Glyph;
  /** Offset from the text's start, in em. */
  x: number;
}

/** Glyphs with their pen positions in em; the fallback font is parsed only when a character needs it. */
function layout(text: string): { glyphs: PlacedGlyph[]; width: number } {
  const glyphs: PlacedGlyph[] = [];
  let pen = 0;
  let previous: PlacedGlyph | null = null;
  for (const char of text) {
    const latin = font("latin");
    const chosen = latin.hasChar(char) ? latin : font("fallback");
    const glyph = chosen.charToGlyph(char);
    if (previous && previous.font === chosen) pen += chosen.getKerningValue(previous.glyph, glyph) / chosen.unitsPerEm;
    const placed: PlacedGlyph = { font: chosen, glyph, x: pen };
    glyphs.push(placed);
    pen += (glyph.advanceWidth ?? 0) / chosen.unitsPerEm;
    previous = placed;
  }
  return { glyphs, width: pen };
}

/** Width in pixels of `text` set at `size` px. */
export function textWidth(text: string, size: number): number {
  return layout(text).width * size;
}

/** `text` shortened with an ellipsis until it fits `maxWidth` px at `size` px. */
export function fitText(text: string, size: number, maxWidth: number): string {
  if (textWidth(text, size) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join("")}…`, size) > maxWidth) chars.pop();
  return `${chars.join("")}…`;
}

export type Anchor = "start" | "middle" | "end";

/**
 * An SVG `<path>` of `text` at `size` px, its baseline at `y`, anchored at `x`.
 * Characters that neither font has come out as the font's missing-glyph box.
 */
export function textPath(
  text: string,
  x: number,
  y: number,
  size: number,
  fill: string,
  anchor: Anchor = "start",
): string {
  const { glyphs, width } = layout(text);
  const left = anchor === "start" ? x : anchor === "middle" ? x - (width * size) / 2 : x - width * size;
  const d = glyphs.map((placed) => placed.glyph.getPath(left + placed.x * size, y, size).toPathData(2)).join("");
  return `<path fill="${fill}" d="${d}"/>`;
}

/** Cap height and descent of the Latin face, in em: to centre a line of text in a band. */
export const TEXT_METRICS = { capHeight: 0.727, descent: 0.242 } as const;
