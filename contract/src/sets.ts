// Output sets (docs/sets.md): the templates a preset offers and their variants. The files one photo
// adds to its job's set are in set-files.ts, the set a job renders in set-plan.ts.
import { z } from "zod";
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
