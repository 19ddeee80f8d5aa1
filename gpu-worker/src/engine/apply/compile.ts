// Each edit compiled to the lookup tables a kernel reads: recolor and texture from the
// region's luma statistics, tone from its curves (tone.ts).
import { TEXTURES, resolveColor, srgbToLinear, type RgbImage, type Texture } from "@s3/contract";
import { oklabToRgb, rgbToOklab } from "../color";
import { textureTile } from "../textures";
import { KIND_LUMA, KIND_TEXTURE, type CompiledEdit } from "./kernel/types";
import { compileTone } from "./tone";
import type { ConceptEdit } from "./types";

/** Luma histogram (0…255) of each edit's pixels: 256 counts per edit. */
function lumaHistograms(image: RgbImage, owner: Uint8Array, edits: number): Uint32Array {
  const histogram = new Uint32Array((edits + 1) * 256);
  const data = image.data;
  for (let p = 0, q = 0; p < owner.length; p++, q += 3) {
    const o = owner[p]!;
    if (o !== 0) histogram[o * 256 + ((77 * data[q]! + 150 * data[q + 1]! + 29 * data[q + 2]! + 128) >> 8)]!++;
  }
  return histogram;
}

/** OKLab lightness of the grey with this luma; close to the pixel's own lightness. */
const GREY_LIGHTNESS = Float64Array.from({ length: 256 }, (_, y) => Math.cbrt(srgbToLinear(y)));

function histogramStats(histogram: Uint32Array, offset: number) {
  let count = 0,
    sum = 0,
    lightnessSum = 0;
  for (let y = 0; y < 256; y++) {
    const c = histogram[offset + y]!;
    count += c;
    sum += c * y;
    lightnessSum += c * GREY_LIGHTNESS[y]!;
  }
  const percentile = (fraction: number) => {
    let seen = 0;
    for (let y = 0; y < 256; y++) {
      seen += histogram[offset + y]!;
      if (seen > fraction * count) return y;
    }
    return 255;
  };
  return {
    count,
    meanLuma: count ? sum / count : 128,
    meanLightness: count ? lightnessSum / count : 0.5,
    low: percentile(0.01),
    high: percentile(0.99),
  };
}

type Stats = ReturnType<typeof histogramStats>;

/**
 * recolor: the target's hue and chroma; lightness is the target's plus the pixel's
 * deviation from the region's mean, so the original shading survives. The deviation is
 * scaled down only as far as needed to keep 98% of the region inside [0.02, 0.98].
 */
function compileRecolor(value: string, stats: Stats): CompiledEdit {
  const [targetL, targetA, targetB] = rgbToOklab(...resolveColor(value));
  const mean = stats.meanLightness;
  const above = GREY_LIGHTNESS[stats.high]! - mean,
    below = mean - GREY_LIGHTNESS[stats.low]!;
  let gain = 1;
  if (above > 0) gain = Math.min(gain, Math.max(0, 0.98 - targetL) / above);
  if (below > 0) gain = Math.min(gain, Math.max(0, targetL - 0.02) / below);
  const lut = new Uint8Array(768);
  for (let y = 0; y < 256; y++) {
    const [r, g, b] = oklabToRgb(targetL + gain * (GREY_LIGHTNESS[y]! - mean), targetA, targetB);
    lut[y] = r;
    lut[256 + y] = g;
    lut[512 + y] = b;
  }
  return { kind: KIND_LUMA, lut, saturation: 256, tile: null };
}

/** texture: the material tile times the original's lighting (pixel luma / region mean luma). */
function compileTexture(value: string, stats: Stats): CompiledEdit {
  if (!(TEXTURES as readonly string[]).includes(value))
    throw new Error(`unknown texture "${value}" (one of ${TEXTURES.join(", ")})`);
  const lut = new Uint8Array(768);
  const mean = Math.max(1, stats.meanLuma);
  for (let y = 0; y < 256; y++) lut[y] = Math.round(128 * Math.max(0.25, Math.min(1.99, y / mean)));
  return { kind: KIND_TEXTURE, lut, saturation: 256, tile: textureTile(value as Texture) };
}

export function compileEdits(image: RgbImage, owner: Uint8Array, edits: readonly ConceptEdit[]): CompiledEdit[] {
  const needsStats = edits.some((edit) => edit.action !== "tone");
  const histogram = needsStats ? lumaHistograms(image, owner, edits.length) : null;
  return edits.map((edit, index) => {
    const stats = histogram ? histogramStats(histogram, (index + 1) * 256) : null;
    if (edit.action === "recolor") return compileRecolor(edit.value, stats!);
    if (edit.action === "tone") return compileTone(edit.value);
    return compileTexture(edit.value, stats!);
  });
}
