// The files one photo adds to its job's set (docs/sets.md): their roles, parts, extensions, keys and
// the manifest that lists them. Both services name and check set files here.
import { z } from "zod";
import { storageKeys } from "./keys";
import {
  DEFAULT_OUTPUT_FORMAT,
  OUTPUT_CONTENT_TYPE,
  OUTPUT_FORMAT_EXT,
  type OutputExt,
  type OutputFormat,
} from "./output-format";
import { VARIANT_NAME_MAX } from "./sets";
import type { JobItemProgress } from "./item-progress";
import type { TemplateSlug } from "./templates";

export const SET_ROLES = [
  "result",
  "preview",
  "variant",
  "options",
  "before_after",
  "share_card",
  "pack",
  "board",
  "thumbnail",
] as const;
export type SetRole = (typeof SET_ROLES)[number];

/** The eight listing thumbnails, each a cover crop, as `{width}x{height}` parts. */
export const THUMBNAIL_SIZES: readonly (readonly [number, number])[] = [
  [1000, 1000],
  [800, 800],
  [600, 600],
  [500, 500],
  [300, 300],
  [1080, 1350],
  [1280, 720],
  [1200, 628],
];

/** A product-pack square's part, named by the photo's position in the job. */
export function packPart(idx: number): string {
  if (idx === 0) return "main";
  if (idx <= 4) return `detail_${idx}`;
  if (idx === 5) return "wearing";
  if (idx === 6) return "package";
  return `extra_${idx - 6}`;
}

/** The variants' key parts: the name in lower-case ASCII where that is unique and not empty, else `variant_N`. */
export function variantParts(names: readonly string[]): string[] {
  const ascii = names.map((name) =>
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, VARIANT_NAME_MAX),
  );
  return ascii.map((part, i) =>
    part && ascii.indexOf(part) === i && ascii.lastIndexOf(part) === i ? part : `variant_${i + 1}`,
  );
}

export const SET_PART_PATTERN = /^[a-z0-9_]{1,48}$/;
export const SET_CONTENT_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
export type SetContentType = (typeof SET_CONTENT_TYPES)[number];

/** A result and a variant's result (a variant is a result) in the job's output format; every other image jpg. */
function setFileFormat(role: SetRole, format: OutputFormat): OutputFormat {
  return role === "result" || role === "variant" ? format : "jpeg";
}

export function setFileExt(role: SetRole, format: OutputFormat = DEFAULT_OUTPUT_FORMAT): OutputExt {
  return OUTPUT_FORMAT_EXT[setFileFormat(role, format)];
}

/** The content type a set file of this role is stored with (its extension's). */
export function setFileContentType(role: SetRole, format: OutputFormat = DEFAULT_OUTPUT_FORMAT): SetContentType {
  return OUTPUT_CONTENT_TYPE[setFileFormat(role, format)];
}

/** The key of one set file other than a result or preview: the template's slug, the part, the role's extension. */
export function setFileKey(
  ids: { user: string; job: string; idx: number },
  slug: TemplateSlug,
  role: SetRole,
  part: string,
  format: OutputFormat = DEFAULT_OUTPUT_FORMAT,
): string {
  return storageKeys.set(ids.user, ids.job, ids.idx, slug, part, setFileExt(role, format));
}

/** One set file of one photo, as the GPU worker reports it in the item's callback. */
export const setFileSchema = z.object({
  role: z.enum(SET_ROLES),
  /** `{part}` of the key: the variant's part, the role for one-per-photo images, `main`, `1080x1350`… */
  part: z.string().regex(SET_PART_PATTERN),
  /** The variant's name for role `variant`, else null. */
  variant: z.string().max(VARIANT_NAME_MAX).nullable(),
  key: z.string().min(1).max(512),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  bytes: z.number().int().min(0),
  content_type: z.enum(SET_CONTENT_TYPES),
});
export type SetFile = z.infer<typeof setFileSchema>;
/** Far more than any template makes for one photo (three_options: 3 variants + the sheet). */
export const SET_FILES_MAX = 32;

/** One file of a finished job's set, as `GET /jobs/{id}/set` lists it (docs/sets.md). */
export interface SetManifestFile {
  idx: number;
  role: SetRole;
  /** null where the role says it all (result, preview, options, before_after, share_card, board). */
  part: string | null;
  variant: string | null;
  /** null for a result or preview whose callback reported no size (a GPU worker other than ours). */
  width: number | null;
  height: number | null;
  bytes: number | null;
  content_type: SetContentType;
  /** The file's path in the ZIP: a folder per role, the key's file name. */
  name: string;
  /** Presigned GET URL. */
  url: string;
}

/** `GET /jobs/{id}/set`: every file of the set and the signed link to all of it as one ZIP. */
export interface SetManifest {
  job_id: string;
  /** The job's output template by slug, and by id (what execute and GET /jobs name). */
  template: TemplateSlug | null;
  template_id: string | null;
  files: SetManifestFile[];
  /** Every item with its report (docs/reports.md): what each photo's files show, and which need a look. */
  items: JobItemProgress[];
  /** Present once the job's objects were deleted: the set is then empty. */
  deleted_at?: string;
  zip_url: string;
}
