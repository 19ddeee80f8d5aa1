// Phase B: a rule's actions applied inside concept masks, never inside protect masks.
// Pure: pixels and masks in, pixels out. Per-pixel work is table lookups on typed arrays.
import {
  resolveColor,
  srgbToLinear,
  TEXTURES,
  TONES,
  WATERMARK_TEXT,
  watermarkRegion,
  type Action,
  type Bbox,
  type RgbImage,
  type Texture,
  type Tone,
} from "@s3/contract";
import { oklabToRgb, rgbToOklab } from "./color";
import { applyKernelJs } from "./kernel/js";
import { KIND_CHANNELS, KIND_CHANNELS_SATURATION, KIND_LUMA, KIND_TEXTURE, type CompiledEdit } from "./kernel/types";
import { wasmKernel } from "./kernel/wasm";
import { textureTile } from "./textures";

export { applyKernelJs, wasmKernel, type CompiledEdit };

export interface ConceptEdit {
  concept: string;
  action: Action;
  value: string;
  /** Union of the concept's instances: width × height bytes, non-zero inside. */
  mask: Uint8Array;
  /** [x, y, width, height] around the mask, when known: only that box is scanned. */
  bbox?: Bbox | null;
}

export interface ApplyInput {
  image: RgbImage;
  /** In rule order; where two concepts overlap, the later one wins. */
  edits: readonly ConceptEdit[];
  /** Union of every protect concept's instances, or null. */
  protect: Uint8Array | null;
  /** Box around the protect mask, when known. */
  protectBbox?: Bbox | null;
  watermark: boolean;
}

/** Feather width at a mask border, inside the concept only: alpha by distance 1, 2, ≥3. */
const FEATHER_ALPHA = new Uint8Array([0, 85, 170, 255]);

/**
 * Which edit (1-based, 0 = none) owns each pixel: its mask minus protect; later edits win.
 * Written into `owner` when given (it must be all zeros), else into a new array.
 */
export function ownerMap(
  width: number,
  height: number,
  edits: readonly ConceptEdit[],
  protect: Uint8Array | null,
  protectBbox: Bbox | null = null,
  owner: Uint8Array = new Uint8Array(width * height),
): Uint8Array {
  if (edits.length > 254) throw new Error("at most 254 concepts per rule");
  edits.forEach((edit, index) => markWhere(edit.mask, owner, index + 1, width, edit.bbox ?? null));
  if (protect) markWhere(protect, owner, 0, width, protectBbox);
  return owner;
}

/** owner[p] = value wherever mask[p] is non-zero; skips empty stretches four bytes at a time. */
function markWhere(mask: Uint8Array, owner: Uint8Array, value: number, width: number, bbox: Bbox | null): void {
  if (bbox) {
    const [x, y, w, h] = bbox;
    for (let row = y; row < y + h; row++) {
      const end = row * width + x + w;
      for (let p = row * width + x; p < end; p++) if (mask[p] !== 0) owner[p] = value;
    }
    return;
  }
  const n = owner.length;
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, n >> 2) : null;
  let p = 0;
  if (words) {
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue;
      p = w << 2;
      if (mask[p] !== 0) owner[p] = value;
      if (mask[p + 1] !== 0) owner[p + 1] = value;
      if (mask[p + 2] !== 0) owner[p + 2] = value;
      if (mask[p + 3] !== 0) owner[p + 3] = value;
    }
    p = words.length << 2;
  }
  for (; p < n; p++) if (mask[p] !== 0) owner[p] = value;
}

/**
 * Soft edges: alpha ramps 85 → 170 → 255 over the first two pixels inside an edited
 * region (city-block distance to an unedited pixel). Unedited pixels keep alpha 0, so
 * protect and outside pixels stay bit-identical; the photo's own border is not an edge.
 * Written into `alpha` when given (it must be all zeros), else into a new array.
 */
export function featherAlpha(
  owner: Uint8Array,
  width: number,
  height: number,
  alpha: Uint8Array = new Uint8Array(width * height),
): Uint8Array {
  const n = width * height;
  const distance = new Uint8Array(n);
  const ownerWords = owner.byteOffset % 4 === 0 ? new Uint32Array(owner.buffer, owner.byteOffset, n >> 2) : null;
  // Forward: distance from the left and from above, capped at 3; unedited pixels stay 0.
  for (let y = 0; y < height; y++) {
    const rowEnd = (y + 1) * width;
    for (let p = y * width, x = 0; p < rowEnd; p++, x++) {
      if (ownerWords !== null && (p & 3) === 0 && p + 4 <= rowEnd && ownerWords[p >> 2] === 0) {
        p += 3;
        x += 3;
        continue;
      }
      if (owner[p] === 0) continue;
      let d = 3;
      if (x > 0 && distance[p - 1]! < 2) d = distance[p - 1]! + 1;
      if (y > 0 && distance[p - width]! + 1 < d) d = distance[p - width]! + 1;
      distance[p] = d;
    }
  }
  // Backward: from the right and from below, writing distance → alpha.
  for (let y = height - 1; y >= 0; y--) {
    const rowStart = y * width;
    for (let p = rowStart + width - 1, x = width - 1; p >= rowStart; p--, x--) {
      let d = distance[p]!;
      if (d === 0) continue;
      if (x < width - 1 && distance[p + 1]! + 1 < d) d = distance[p + 1]! + 1;
      if (y < height - 1 && distance[p + width]! + 1 < d) d = distance[p + width]! + 1;
      distance[p] = d;
      alpha[p] = FEATHER_ALPHA[d]!;
    }
  }
  return alpha;
}

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

/** Channel curves and a saturation factor per named tone. */
const TONE_CURVES: Record<Tone, { curve: (v: number, channel: number) => number; saturation: number }> = {
  warm: { curve: (v, c) => (c === 0 ? v * 1.08 + 6 : c === 1 ? v * 1.02 + 2 : v * 0.86), saturation: 1 },
  cool: { curve: (v, c) => (c === 0 ? v * 0.88 : c === 1 ? v * 0.99 + 2 : v * 1.08 + 8), saturation: 1 },
  bright: { curve: (v) => 255 * (v / 255) ** 0.75 + 6, saturation: 1 },
  dark: { curve: (v) => 255 * (v / 255) ** 1.35, saturation: 1 },
  matte: { curve: (v) => 24 + v * 0.8, saturation: 0.8 },
  vivid: { curve: (v) => 127.5 + (v - 127.5) * 1.1, saturation: 1.4 },
};

function compileTone(value: string): CompiledEdit {
  const tone = TONE_CURVES[value as Tone];
  if (!tone) throw new Error(`unknown tone "${value}" (one of ${TONES.join(", ")})`);
  const lut = new Uint8Array(768);
  for (let c = 0; c < 3; c++)
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = Math.max(0, Math.min(255, Math.round(tone.curve(v, c))));
  const saturation = Math.round(tone.saturation * 256);
  return { kind: saturation === 256 ? KIND_CHANNELS : KIND_CHANNELS_SATURATION, lut, saturation, tile: null };
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

// A 5×7 bitmap font for the watermark text, one string of 35 bits per glyph.
const GLYPHS: Record<string, string> = {
  S: "01111100001000001110000010000111110",
  "3": "11110000010000101110000010000111110",
  P: "11110100011000111110100001000010000",
  R: "11110100011000111110101001001010001",
  E: "11111100001000011110100001000011111",
  V: "10001100011000110001100010101000100",
  I: "01110001000010000100001000010001110",
  W: "10001100011000110101101011010101010",
  " ": "00000000000000000000000000000000000",
};
/** A visible watermark: the box darkened to 60%, the text in near-white on it. */
export function drawWatermark(out: Uint8Array, width: number, height: number): void {
  const box = watermarkRegion(width, height);
  const columns = WATERMARK_TEXT.length * 6 - 1;
  const scale = Math.max(1, Math.floor((width * 0.25) / columns));
  const pad = 2 * scale;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const q = (y * width + x) * 3;
      const gx = Math.floor((x - box.x - pad) / scale),
        gy = Math.floor((y - box.y - pad) / scale);
      const glyph = GLYPHS[WATERMARK_TEXT[Math.floor(gx / 6)] ?? " "] ?? GLYPHS[" "]!;
      const ink = gx >= 0 && gy >= 0 && gy < 7 && gx % 6 < 5 && glyph[gy * 5 + (gx % 6)] === "1";
      for (let c = 0; c < 3; c++) out[q + c] = ink ? 230 + ((out[q + c]! * 25) >> 8) : (out[q + c]! * 153) >> 8;
    }
  }
}

/** Which per-pixel kernel applyRule uses: "wasm-simd", or "js" where WebAssembly could not be built. */
export const PIXEL_KERNEL: "wasm-simd" | "js" = wasmKernel ? "wasm-simd" : "js";

/** The whole of Phase B for one photo: a new RGB buffer of the input's size. */
export function applyRule(input: ApplyInput): Uint8Array {
  const { image, edits, protect, protectBbox, watermark } = input;
  const { width, height } = image;
  let out: Uint8Array;
  if (edits.length === 0) out = image.data.slice();
  else if (wasmKernel) {
    // The photo, owner map and alpha go straight into the kernel's memory: no copies in or out.
    const photo = wasmKernel.photo(width, height);
    photo.pixels.set(image.data);
    const owner = ownerMap(width, height, edits, protect, protectBbox ?? null, photo.owner);
    featherAlpha(owner, width, height, photo.alpha);
    photo.apply(compileEdits(image, owner, edits));
    out = photo.pixels;
  } else {
    out = image.data.slice();
    const owner = ownerMap(width, height, edits, protect, protectBbox ?? null);
    applyKernelJs(image, owner, featherAlpha(owner, width, height), compileEdits(image, owner, edits), out);
  }
  if (watermark) drawWatermark(out, width, height);
  return out;
}
