// The render step's per-pixel pass in JavaScript: the fallback where WebAssembly SIMD is missing,
// and the reference the WebAssembly kernel (apply.wat) must match byte for byte.
import type { RgbImage } from "@s3/contract";
import { TILE, packedTile } from "../../textures";
import { KIND_CHANNELS, KIND_LUMA, KIND_TEXTURE, packedLumaTable, type CompiledEdit } from "./types";

/** Word loops assume little-endian bytes (every platform Node ships on); others take the byte loops. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Int32 view of a byte array when it lies on a 4-byte boundary, else null. */
function words(bytes: Uint8Array): Int32Array | null {
  return LITTLE_ENDIAN && bytes.byteOffset % 4 === 0
    ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)
    : null;
}

/**
 * The per-pixel pass: writes each owned pixel's new colour into `out`, blended by alpha.
 * It walks runs of one owner along each row, splits each run into feathered stretches
 * (alpha < 255, blended) and interior stretches (alpha 255, no blend), and hands each
 * to a loop specialised for its kind. Interior loops move four pixels as three 32-bit
 * words, so the hot loops stay monomorphic and free of per-pixel branches.
 */
export function applyKernelJs(
  image: RgbImage,
  owner: Uint8Array,
  alpha: Uint8Array,
  compiled: readonly CompiledEdit[],
  out: Uint8Array,
): void {
  const { width, height, data } = image;
  const ownerWords = words(owner),
    alphaWords = words(alpha);
  const src = words(data),
    dst = src && words(out);
  const tables = compiled.map(kernelTables);
  for (let y = 0; y < height; y++) {
    const rowStart = y * width,
      rowEnd = rowStart + width;
    const tileRow = (y & (TILE - 1)) * TILE;
    let p = rowStart;
    while (p < rowEnd) {
      const o = owner[p]!;
      if (o === 0) {
        // Skip unedited pixels, four at a time once aligned.
        p++;
        if (ownerWords) while ((p & 3) === 0 && p + 4 <= rowEnd && ownerWords[p >> 2] === 0) p += 4;
        continue;
      }
      const end = runEnd(owner, ownerWords, o, o * 0x01010101, p + 1, rowEnd);
      const edit = compiled[o - 1]!,
        table = tables[o - 1]!;
      while (p < end) {
        if (alpha[p] !== 255) {
          let stop = p + 1;
          while (stop < end && alpha[stop] !== 255) stop++;
          featherRun(data, out, alpha, edit, table, tileRow, rowStart, p, stop);
          p = stop;
          continue;
        }
        const stop = runEnd(alpha, alphaWords, 255, -1, p + 1, end);
        if (edit.kind === KIND_LUMA) lumaRun(data, out, src, dst, table.packed!, p, stop);
        else if (edit.kind === KIND_CHANNELS) channelRun(data, out, src, dst, edit.lut, p, stop);
        else if (edit.kind === KIND_TEXTURE)
          textureRun(data, out, src, dst, edit.lut, table.tile!, tileRow, rowStart, p, stop);
        else
          for (let q = p; q < stop; q++)
            writePixel(out, q * 3, saturationColor(data, q * 3, edit.lut, edit.saturation));
        p = stop;
      }
    }
  }
}

/** Tables a kind reads in packed form: recolor's luma → r | g << 8 | b << 16, a texture's tile one word per texel. */
interface KernelTables {
  packed: Int32Array | null;
  tile: Int32Array | null;
}

function kernelTables(edit: CompiledEdit): KernelTables {
  return {
    packed: edit.kind === KIND_LUMA ? packedLumaTable(edit.lut) : null,
    tile: edit.kind === KIND_TEXTURE ? packedTile(edit.tile!) : null,
  };
}

/** First index in [from, limit) where `bytes` differs from `value`, comparing whole words while aligned. */
function runEnd(
  bytes: Uint8Array,
  byteWords: Int32Array | null,
  value: number,
  word: number,
  from: number,
  limit: number,
): number {
  let p = from;
  while (p < limit && (p & 3) !== 0 && bytes[p] === value) p++;
  if (byteWords && (p & 3) === 0) while (p + 4 <= limit && byteWords[p >> 2] === word) p += 4;
  while (p < limit && bytes[p] === value) p++;
  return p;
}

const luma = (r: number, g: number, b: number) => (77 * r + 150 * g + 29 * b + 128) >> 8;

function writePixel(out: Uint8Array, q: number, rgb: number): void {
  out[q] = rgb;
  out[q + 1] = rgb >> 8;
  out[q + 2] = rgb >> 16;
}

function textureColor(factor: number, texel: number): number {
  return (
    Math.min(255, ((texel & 255) * factor) >> 7) |
    (Math.min(255, (((texel >> 8) & 255) * factor) >> 7) << 8) |
    (Math.min(255, ((texel >> 16) * factor) >> 7) << 16)
  );
}

function saturationColor(data: Uint8Array, q: number, lut: Uint8Array, saturation: number): number {
  const r = data[q]!,
    g = data[q + 1]!,
    b = data[q + 2]!;
  const y = luma(r, g, b);
  return (
    lut[clamp(y + (((r - y) * saturation) >> 8))]! |
    (lut[256 + clamp(y + (((g - y) * saturation) >> 8))]! << 8) |
    (lut[512 + clamp(y + (((b - y) * saturation) >> 8))]! << 16)
  );
}

/** Border pixels: the edit's colour blended over the original by alpha. */
function featherRun(
  data: Uint8Array,
  out: Uint8Array,
  alpha: Uint8Array,
  edit: CompiledEdit,
  table: KernelTables,
  tileRow: number,
  rowStart: number,
  from: number,
  to: number,
): void {
  const lut = edit.lut;
  for (let p = from, q = from * 3; p < to; p++, q += 3) {
    const r = data[q]!,
      g = data[q + 1]!,
      b = data[q + 2]!;
    let rgb: number;
    if (edit.kind === KIND_LUMA) rgb = table.packed![luma(r, g, b)]!;
    else if (edit.kind === KIND_CHANNELS) rgb = lut[r]! | (lut[256 + g]! << 8) | (lut[512 + b]! << 16);
    else if (edit.kind === KIND_TEXTURE)
      rgb = textureColor(lut[luma(r, g, b)]!, table.tile![tileRow + ((p - rowStart) & (TILE - 1))]!);
    else rgb = saturationColor(data, q, lut, edit.saturation);
    const a = alpha[p]!;
    out[q] = r + ((((rgb & 255) - r) * a + 128) >> 8);
    out[q + 1] = g + (((((rgb >> 8) & 255) - g) * a + 128) >> 8);
    out[q + 2] = b + ((((rgb >> 16) - b) * a + 128) >> 8);
  }
}

/** Pixels up to the next multiple of four go one by one, then four at a time as three words. */
const headEnd = (from: number, to: number) => Math.min(to, (from + 3) & ~3);

function lumaRun(
  data: Uint8Array,
  out: Uint8Array,
  src: Int32Array | null,
  dst: Int32Array | null,
  packed: Int32Array,
  from: number,
  to: number,
): void {
  let p = from;
  const head = src && dst ? headEnd(from, to) : to;
  for (; p < head; p++) writePixel(out, p * 3, packed[luma(data[p * 3]!, data[p * 3 + 1]!, data[p * 3 + 2]!)]!);
  if (!src || !dst) return;
  for (let w = (p * 3) >> 2; p + 4 <= to; p += 4, w += 3) {
    const w0 = src[w]!,
      w1 = src[w + 1]!,
      w2 = src[w + 2]!;
    const c0 = packed[luma(w0 & 255, (w0 >> 8) & 255, (w0 >> 16) & 255)]!;
    const c1 = packed[luma(w0 >>> 24, w1 & 255, (w1 >> 8) & 255)]!;
    const c2 = packed[luma((w1 >> 16) & 255, w1 >>> 24, w2 & 255)]!;
    const c3 = packed[luma((w2 >> 8) & 255, (w2 >> 16) & 255, w2 >>> 24)]!;
    dst[w] = c0 | (c1 << 24);
    dst[w + 1] = (c1 >> 8) | (c2 << 16);
    dst[w + 2] = (c2 >> 16) | (c3 << 8);
  }
  for (; p < to; p++) writePixel(out, p * 3, packed[luma(data[p * 3]!, data[p * 3 + 1]!, data[p * 3 + 2]!)]!);
}

function channelRun(
  data: Uint8Array,
  out: Uint8Array,
  src: Int32Array | null,
  dst: Int32Array | null,
  lut: Uint8Array,
  from: number,
  to: number,
): void {
  let p = from;
  const head = src && dst ? headEnd(from, to) : to;
  for (let q = p * 3; p < head; p++, q += 3)
    writePixel(out, q, lut[data[q]!]! | (lut[256 + data[q + 1]!]! << 8) | (lut[512 + data[q + 2]!]! << 16));
  if (!src || !dst) return;
  for (let w = (p * 3) >> 2; p + 4 <= to; p += 4, w += 3) {
    const w0 = src[w]!,
      w1 = src[w + 1]!,
      w2 = src[w + 2]!;
    dst[w] =
      lut[w0 & 255]! |
      (lut[256 + ((w0 >> 8) & 255)]! << 8) |
      (lut[512 + ((w0 >> 16) & 255)]! << 16) |
      (lut[w0 >>> 24]! << 24);
    dst[w + 1] =
      lut[256 + (w1 & 255)]! |
      (lut[512 + ((w1 >> 8) & 255)]! << 8) |
      (lut[(w1 >> 16) & 255]! << 16) |
      (lut[256 + (w1 >>> 24)]! << 24);
    dst[w + 2] =
      lut[512 + (w2 & 255)]! |
      (lut[(w2 >> 8) & 255]! << 8) |
      (lut[256 + ((w2 >> 16) & 255)]! << 16) |
      (lut[512 + (w2 >>> 24)]! << 24);
  }
  for (let q = p * 3; p < to; p++, q += 3)
    writePixel(out, q, lut[data[q]!]! | (lut[256 + data[q + 1]!]! << 8) | (lut[512 + data[q + 2]!]! << 16));
}

function textureRun(
  data: Uint8Array,
  out: Uint8Array,
  src: Int32Array | null,
  dst: Int32Array | null,
  lut: Uint8Array,
  tile: Int32Array,
  tileRow: number,
  rowStart: number,
  from: number,
  to: number,
): void {
  const mask = TILE - 1;
  let p = from;
  const head = src && dst ? headEnd(from, to) : to;
  for (let q = p * 3; p < head; p++, q += 3)
    writePixel(
      out,
      q,
      textureColor(lut[luma(data[q]!, data[q + 1]!, data[q + 2]!)]!, tile[tileRow + ((p - rowStart) & mask)]!),
    );
  if (!src || !dst) return;
  for (let w = (p * 3) >> 2; p + 4 <= to; p += 4, w += 3) {
    const w0 = src[w]!,
      w1 = src[w + 1]!,
      w2 = src[w + 2]!;
    const x = p - rowStart;
    const c0 = textureColor(lut[luma(w0 & 255, (w0 >> 8) & 255, (w0 >> 16) & 255)]!, tile[tileRow + (x & mask)]!);
    const c1 = textureColor(lut[luma(w0 >>> 24, w1 & 255, (w1 >> 8) & 255)]!, tile[tileRow + ((x + 1) & mask)]!);
    const c2 = textureColor(lut[luma((w1 >> 16) & 255, w1 >>> 24, w2 & 255)]!, tile[tileRow + ((x + 2) & mask)]!);
    const c3 = textureColor(
      lut[luma((w2 >> 8) & 255, (w2 >> 16) & 255, w2 >>> 24)]!,
      tile[tileRow + ((x + 3) & mask)]!,
    );
    dst[w] = c0 | (c1 << 24);
    dst[w + 1] = (c1 >> 8) | (c2 << 16);
    dst[w + 2] = (c2 >> 16) | (c3 << 8);
  }
  for (let q = p * 3; p < to; p++, q += 3)
    writePixel(
      out,
      q,
      textureColor(lut[luma(data[q]!, data[q + 1]!, data[q + 2]!)]!, tile[tileRow + ((p - rowStart) & mask)]!),
    );
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
