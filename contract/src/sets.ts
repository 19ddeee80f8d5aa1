// Output sets (docs/sets.md): the templates a preset offers, their variants, the files one photo adds
// to its job's set, and the keys those files are stored under. Both services read these facts here.
import { z } from "zod";
import type { ItemReport } from "./report";
import { conceptsSchema } from "./rules";

export const TEMPLATE_SLUGS = [
  "three_options",
  "before_after",
  "share_card",
  "product_pack",
  "option_board",
  "thumbnails",
] as const;
export type TemplateSlug = (typeof TEMPLATE_SLUGS)[number];

/** How many variants a template takes; null where it takes none. `required`: execute must name them. */
export const TEMPLATE_VARIANTS: Record<TemplateSlug, { min: number; max: number; required: boolean } | null> = {
  three_options: { min: 2, max: 3, required: false },
  option_board: { min: 2, max: 8, required: true },
  before_after: null,
  share_card: null,
  product_pack: null,
  thumbnails: null,
};

export const VARIANT_NAME_MAX = 40;
export const variantSchema = z.object({
  name: z.string().trim().min(1).max(VARIANT_NAME_MAX),
  concepts: conceptsSchema,
});
export type Variant = z.infer<typeof variantSchema>;
export const variantsSchema = z.array(variantSchema).max(8);

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
export const SET_CONTENT_TYPES = ["image/png", "image/jpeg"] as const;
export type SetContentType = (typeof SET_CONTENT_TYPES)[number];

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

/** One item of a finished job's set, as the manifest reports it. */
export interface SetManifestItem {
  idx: number;
  status: "pending" | "done" | "failed";
  report: ItemReport | null;
  needs_review: boolean;
}

/** `GET /jobs/{id}/set`: every file of the set and the signed link to all of it as one ZIP. */
export interface SetManifest {
  job_id: string;
  template: TemplateSlug | null;
  files: SetManifestFile[];
  /** Every item with its report (docs/reports.md): what each photo's files show, and which need a look. */
  items: SetManifestItem[];
  /** Present once the job's objects were deleted: the set is then empty. */
  deleted_at?: string;
  zip_url: string;
}
