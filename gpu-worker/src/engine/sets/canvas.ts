// The few raster operations the templates share: a blank canvas, row-copy blits, sharp
// resizes, and SVG bands (captions, swatches) rendered by librsvg and copied in.
import type { RgbImage } from "@s3/contract";
import sharp from "sharp";

export type Rgb = readonly [number, number, number];
export const WHITE: Rgb = [255, 255, 255];
export const INK = "#1a1a1a";
export const MUTED = "#6b6b6b";

export function blank(width: number, height: number, color: Rgb = WHITE): RgbImage {
  const data = new Uint8Array(width * height * 3);
  if (color[0] === color[1] && color[1] === color[2]) data.fill(color[0]);
  else for (let p = 0; p < data.length; p += 3) data.set(color, p);
  return { width, height, data };
}

/** Copies `source` into `target` with its top-left corner at (x, y); it must fit. */
export function blit(target: RgbImage, source: RgbImage, x: number, y: number): void {
  if (x < 0 || y < 0 || x + source.width > target.width || y + source.height > target.height)
    throw new Error(`a ${source.width}×${source.height} image does not fit at ${x},${y}`);
  const row = source.width * 3;
  for (let r = 0; r < source.height; r++) {
    const from = r * row;
    target.data.set(source.data.subarray(from, from + row), ((y + r) * target.width + x) * 3);
  }
}

/** `region` of `image` scaled to exactly width × height; the image itself when nothing would change. */
export async function resize(
  image: RgbImage,
  width: number,
  height: number,
  region: readonly [number, number, number, number] = [0, 0, image.width, image.height],
): Promise<RgbImage> {
  const [left, top, regionWidth, regionHeight] = region;
  const whole = left === 0 && top === 0 && regionWidth === image.width && regionHeight === image.height;
  if (whole && width === image.width && height === image.height) return image;
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (!whole) pipeline = pipeline.extract({ left, top, width: regionWidth, height: regionHeight });
  const { data, info } = await pipeline
    .resize({ width, height, fit: "fill" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** `image` scaled to `height` rows, aspect kept; never enlarged past `height` when smaller. */
export function toHeight(image: RgbImage, height: number): Promise<RgbImage> {
  const width = Math.max(1, Math.round((image.width * height) / image.height));
  return resize(image, width, height);
}

export function toWidth(image: RgbImage, width: number): Promise<RgbImage> {
  const height = Math.max(1, Math.round((image.height * width) / image.width));
  return resize(image, width, height);
}

/** An opaque width × height RGB image of the SVG elements in `body` over `background`. */
export async function svgImage(width: number, height: number, body: string, background = "#ffffff"): Promise<RgbImage> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="${background}"/>${body}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 })
    .flatten({ background })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3)
    throw new Error(`SVG rendered to ${info.width}×${info.height}×${info.channels}`);
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`.toUpperCase();
}

/** JPEG of a set image: quality 92, 4:4:4 chroma so coloured captions and swatch edges stay crisp. */
export function encodeSetJpeg(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: SET_JPEG_QUALITY, chromaSubsampling: "4:4:4" })
    .toBuffer();
}
export const SET_JPEG_QUALITY = 92;

/** `n` rounded up to even: set images have even sides, which video tools and some marketplaces require. */
export function even(n: number): number {
  return n + (n % 2);
}
