// Image I/O with sharp: decode (size checked before any pixel is decoded), encode.
import os from "node:os";
import sharp, { type Metadata } from "sharp";
import { ItemError } from "./errors";
import { OUTPUT_QUALITY, type OutputFormat, type RgbImage } from "@s3/contract";

// libvips threads per operation; items already run in parallel, so one pool per core.
sharp.concurrency(os.availableParallelism());

/** PNG zlib level: 1–3 costs a fraction of 6 at 12 MP for a few percent more bytes. */
export const PNG_COMPRESSION = 2;
export const PREVIEW_LONG_SIDE = 512;

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

/** The input's format by its magic bytes: only these reach libvips (docs/trust.md), never SVG, TIFF, GIF, HEIF… */
export function sniffFormat(bytes: Uint8Array): "jpeg" | "png" | "webp" | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return "webp";
  return null;
}

/**
 * The photo's pixel count, from its header alone. Anything but JPEG, PNG or WebP fails with
 * INPUT_INVALID before libvips sees it; over `maxPixels` fails with INPUT_TOO_LARGE; unreadable
 * bytes fail with INPUT_INVALID.
 */
export async function inspectInput(bytes: Uint8Array, maxPixels: number): Promise<{ width: number; height: number }> {
  const format = sniffFormat(bytes);
  if (!format) throw new ItemError("INPUT_INVALID", "not a JPEG, PNG or WebP image");
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ItemError("INPUT_INVALID", `not a readable image: ${(error as Error).message}`);
  }
  // libvips picks its loader from the content; it must agree with the magic bytes.
  if (metadata.format !== format)
    throw new ItemError("INPUT_INVALID", `${format} magic bytes, but libvips reads ${metadata.format}`);
  const { width, height } = metadata;
  if (!width || !height) throw new ItemError("INPUT_INVALID", "image has no dimensions");
  if (width * height > maxPixels)
    throw new ItemError("INPUT_TOO_LARGE", `${width}×${height} is over the ${maxPixels}-pixel limit`);
  return { width, height };
}

/**
 * Decodes a photo to oriented 8-bit RGB, after inspectInput's checks. The pixels are copied
 * once out of libvips' memory, which cannot be detached, so they can then move between
 * threads by transfer (render-pool.ts).
 */
export async function decodeInput(bytes: Uint8Array, maxPixels: number): Promise<RgbImage> {
  await inspectInput(bytes, maxPixels);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: "error" })
      .rotate() // EXIF orientation: the result has the oriented width and height
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  } catch (error) {
    throw new ItemError("INPUT_INVALID", `image could not be decoded: ${(error as Error).message}`);
  }
}

export function encodeResultPng(width: number, height: number, data: Uint8Array): Promise<Buffer> {
  return encodeResult("png", width, height, data);
}

/** A result (or a variant's) in the job's output format: PNG lossless, JPEG and WebP at OUTPUT_QUALITY. */
export function encodeResult(format: OutputFormat, width: number, height: number, data: Uint8Array): Promise<Buffer> {
  const image = sharp(data, { raw: { width, height, channels: 3 } });
  if (format === "jpeg") return image.jpeg({ quality: OUTPUT_QUALITY }).toBuffer();
  if (format === "webp") return image.webp({ quality: OUTPUT_QUALITY }).toBuffer();
  return image.png({ compressionLevel: PNG_COMPRESSION, adaptiveFiltering: false }).toBuffer();
}

/** JPEG preview, long side at most PREVIEW_LONG_SIDE, never enlarged. */
export function encodePreview(width: number, height: number, data: Uint8Array): Promise<Buffer> {
  return encodePreviewSized(width, height, data).then((preview) => preview.body);
}

/** The preview with the size it came out at, for the item's report (docs/sets.md). */
export async function encodePreviewSized(
  width: number,
  height: number,
  data: Uint8Array,
): Promise<{ body: Buffer; width: number; height: number }> {
  const { data: body, info } = await sharp(data, { raw: { width, height, channels: 3 } })
    .resize({ width: PREVIEW_LONG_SIDE, height: PREVIEW_LONG_SIDE, fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 82 })
    .toBuffer({ resolveWithObject: true });
  return { body, width: info.width, height: info.height };
}

/** A 1-channel (greyscale) PNG of a mask: 255 inside, 0 outside. */
export function encodeMaskPng(width: number, height: number, mask: Uint8Array): Promise<Buffer> {
  return sharp(mask, { raw: { width, height, channels: 1 } })
    .png({ compressionLevel: PNG_COMPRESSION, adaptiveFiltering: false })
    .toColourspace("b-w")
    .toBuffer();
}
