// The set a job renders (docs/sets.md), decided once for both services: the Worker takes the main
// result's concepts from it at execute, the GPU worker renders its variants.
import type { OutputTemplate, Preset } from "./presets";
import type { Variant } from "./sets";
import { TEMPLATE_VARIANTS, type TemplateSlug } from "./templates";

export interface SetPlan {
  slug: TemplateSlug;
  /** The variants to render (three_options without any: the preset's styles); empty where the template takes none. */
  variants: readonly Variant[];
}

/**
 * The set of a job with `template`, or null without one. A template that takes variants renders
 * those named, or the preset's styles where none are; the count is the caller's to check
 * against TEMPLATE_VARIANTS (the Worker refuses it, the GPU worker fails the job).
 */
export function setPlanOf(
  preset: Preset,
  template: OutputTemplate | null,
  variants: readonly Variant[] | null | undefined,
): SetPlan | null {
  if (!template) return null;
  if (!TEMPLATE_VARIANTS[template.slug]) return { slug: template.slug, variants: [] };
  return { slug: template.slug, variants: variants?.length ? variants : preset.styles };
}
