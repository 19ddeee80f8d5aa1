// The format a job's results are encoded in (docs/storage.md, Output formats): png (lossless, the
// default), jpeg or webp. The result key, a per-variant result's key, the manifest and the ZIP
// follow it.
import { z } from "zod";

export const OUTPUT_FORMATS = ["png", "jpeg", "webp"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const DEFAULT_OUTPUT_FORMAT: OutputFormat = "png";

export const outputFormatSchema = z.enum(OUTPUT_FORMATS);

/** JPEG and WebP results are encoded at this quality; PNG is lossless. */
export const OUTPUT_QUALITY = 92;

/** A result's file extension: the key's and the ZIP entry's. */
export const OUTPUT_FORMAT_EXT = { png: "png", jpeg: "jpg", webp: "webp" } as const satisfies Record<
  OutputFormat,
  string
>;
export type OutputExt = (typeof OUTPUT_FORMAT_EXT)[OutputFormat];

export const OUTPUT_CONTENT_TYPE = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
} as const satisfies Record<OutputFormat, string>;
