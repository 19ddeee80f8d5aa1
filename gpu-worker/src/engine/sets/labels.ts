// Captions and swatches: the text a set shows, sized to stay legible at 100 %.
import type { Bbox, Label, Locale, RgbImage } from "@s3/contract";
import { displayName, resolveColor, type QueueMessage } from "@s3/contract";

import type { ConceptMasks } from "../segmenter/types";
import { INK, svgImage, toHex, type Rgb } from "./canvas";
import { fitText, TEXT_METRICS, textPath } from "./font";

export type Rule = QueueMessage["concepts"];

/** The few words a set prints besides the catalog's names (docs/labels.md). */
export const SET_WORDS = {
  before: { ko: "변경 전", en: "Before" },
  after: { ko: "변경 후", en: "After" },
  palette: { ko: "적용한 팔레트", en: "Palette" },
  unchanged: { ko: "변경 없음", en: "UNCHANGED" },
} as const satisfies Record<string, Label>;

/** A variant's caption: a built-in style's or a colour's display name, else the name the client gave. */
export function variantCaption(name: string, locale: Locale): string {
  const style = displayName("styles", name, locale);
  return style !== name ? style : displayName("colors", name, locale);
}

/** Caption size for panels `panelHeight` px high: about 4.5 % of it, 22–56 px. */
export function captionSize(panelHeight: number): number {
  return Math.max(22, Math.min(56, Math.round(panelHeight * 0.045)));
}

/** Baseline that centres a line of capitals of `size` px in a band `height` px high starting at `top`. */
export function centredBaseline(top: number, height: number, size: number): number {
  return Math.round(top + (height + TEXT_METRICS.capHeight * size) / 2);
}

export interface Caption {
  text: string;
  /** The span [x, x + width) the caption is centred in. */
  x: number;
  width: number;
}

/** A white band `height` px high with each caption centred over its span, cut to fit. */
export function captionBand(
  width: number,
  height: number,
  captions: readonly Caption[],
  size: number,
): Promise<RgbImage> {
  const baseline = centredBaseline(0, height, size);
  const body = captions
    .map((caption) =>
      textPath(
        fitText(caption.text, size, caption.width - size),
        caption.x + caption.width / 2,
        baseline,
        size,
        INK,
        "middle",
      ),
    )
    .join("");
  return svgImage(width, height, body);
}

/** A square colour chip with a hairline border, so white and near-white swatches still show. */
export function swatchSvg(x: number, y: number, size: number, hex: string): string {
  const radius = Math.round(size * 0.15);
  const box = `x="${x + 0.5}" y="${y + 0.5}" width="${size - 1}" height="${size - 1}" rx="${radius}"`;
  return `<rect ${box} fill="${hex}" stroke="#8a8a8a" stroke-width="1"/>`;
}

/** Mean colour of `pixels` inside the instances' masks, sampled every other row and column. */
export function meanColor(pixels: Uint8Array, width: number, instances: ConceptMasks, concept: string): Rgb | null {
  let r = 0,
    g = 0,
    b = 0,
    n = 0;
  for (const instance of instances.get(concept) ?? []) {
    const [x0, y0, w, h] = instance.bbox;
    for (let y = y0; y < y0 + h; y += 2)
      for (let x = x0; x < x0 + w; x += 2) {
        const p = y * width + x;
        // The instance's mask is cropped to its box (segmenter/masks.ts).
        if (instance.mask[(y - y0) * w + (x - x0)] === 0) continue;
        r += pixels[p * 3]!;
        g += pixels[p * 3 + 1]!;
        b += pixels[p * 3 + 2]!;
        n++;
      }
  }
  return n === 0 ? null : [Math.round(r / n), Math.round(g / n), Math.round(b / n)];
}

export interface PaletteRow {
  concept: string;
  action: Rule[string]["action"];
  value: string;
  /** The chip's `#RRGGBB`: a recolor's target colour; for tone and texture, the concept's mean colour in the result. */
  swatch: string;
  /** The hex printed beside it: a recolor's colour only, since a tone or texture is not one colour. */
  hex: string | null;
}

/** One row per edited concept, in rule order. */
export function paletteRows(rule: Rule, result: Uint8Array, width: number, instances: ConceptMasks): PaletteRow[] {
  return Object.entries(rule).map(([concept, { action, value }]) => {
    const color = action === "recolor" ? resolveColor(value) : (meanColor(result, width, instances, concept) ?? null);
    const swatch = color ? toHex(color) : "#FFFFFF";
    return { concept, action, value, swatch, hex: action === "recolor" ? swatch : null };
  });
}

/** The variant's swatch: its first recolor's colour (with its hex), else its first concept's mean colour (none). */
export function variantSwatch(
  rule: Rule,
  pixels: Uint8Array,
  width: number,
  instances: ConceptMasks,
): Pick<PaletteRow, "swatch" | "hex"> {
  const rows = paletteRows(rule, pixels, width, instances);
  const row = rows.find((candidate) => candidate.action === "recolor") ?? rows[0];
  return { swatch: row?.swatch ?? "#FFFFFF", hex: row?.hex ?? null };
}

/** Box around every instance of `concepts` (every concept found when null), or null when none was found. */
export function focusBox(instances: ConceptMasks, concepts: readonly string[] | null): Bbox | null {
  let box: Bbox | null = null;
  for (const [concept, list] of instances) {
    if (concepts && !concepts.includes(concept)) continue;
    for (const { bbox } of list) {
      if (!box) box = [...bbox];
      else {
        const x1 = Math.max(box[0] + box[2], bbox[0] + bbox[2]),
          y1 = Math.max(box[1] + box[3], bbox[1] + bbox[3]);
        box[0] = Math.min(box[0], bbox[0]);
        box[1] = Math.min(box[1], bbox[1]);
        box[2] = x1 - box[0];
        box[3] = y1 - box[1];
      }
    }
  }
  return box;
}
