// The output templates a preset may offer (docs/sets.md) and how many variants each takes. Plain data,
// no schema, so the console bundles it without zod.
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
