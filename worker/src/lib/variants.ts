// What makes execute's output_template and variants valid for a job's preset (docs/sets.md).
import {
  findTemplate,
  setPlanOf,
  TEMPLATE_VARIANTS,
  type OutputTemplate,
  type Preset,
  type RuleAction,
  type Variant,
} from "@s3/contract";
import { ApiError } from "./errors";
import { checkRule } from "./rule-check";

/** The preset's template named by id or slug; VALIDATION_ERROR for any other name. */
export function templateOrInvalid(preset: Preset, idOrSlug: string): OutputTemplate {
  const template = findTemplate(preset, idOrSlug);
  if (!template) {
    const names = preset.output_templates.map((candidate) => `${candidate.id} (${candidate.slug})`).join(", ");
    throw new ApiError("VALIDATION_ERROR", `output_template: "${idOrSlug}" is not one of ${names}.`);
  }
  return template;
}

/**
 * The variants to store with the job, or null where none are named (three_options then uses the
 * preset's styles). VALIDATION_ERROR when the template takes none (or there is no template), when
 * option_board has none, for a count outside the template's range, a repeated name, or a variant
 * whose concepts are not a valid rule of the preset under the job's protect.
 */
export function checkVariants(
  preset: Preset,
  template: OutputTemplate | null,
  variants: readonly Variant[] | undefined,
  protect: readonly string[],
): Variant[] | null {
  const range = template ? TEMPLATE_VARIANTS[template.slug] : null;
  if (variants === undefined) {
    if (range?.required) {
      throw new ApiError("VALIDATION_ERROR", `variants: ${template!.slug} needs ${range.min}–${range.max} variants.`);
    }
    return null;
  }
  if (!template || !range) {
    const which = template ? `${template.slug} takes none` : "only with an output_template that takes them";
    throw new ApiError("VALIDATION_ERROR", `variants: ${which}.`);
  }
  if (variants.length < range.min || variants.length > range.max) {
    throw new ApiError("VALIDATION_ERROR", `variants: ${template.slug} takes ${range.min}–${range.max} variants.`);
  }
  const names = variants.map((variant) => variant.name.trim());
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new ApiError("VALIDATION_ERROR", `variants: the name "${repeated}" is repeated.`);
  return variants.map((variant, i) => {
    try {
      checkRule(preset, variant.concepts as Record<string, RuleAction>, protect);
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError("VALIDATION_ERROR", `variants.${i}.${error.message}`);
      throw error;
    }
    return { name: names[i]!, concepts: variant.concepts };
  });
}

/**
 * The concepts of the job's main result where the template renders variants: the first variant's, or
 * the first of the preset's styles when execute names none (docs/sets.md); null for other templates.
 */
export function mainResultConcepts(
  preset: Preset,
  template: OutputTemplate | null,
  variants: readonly Variant[] | undefined,
): Variant["concepts"] | null {
  // An empty list keeps the job's own concepts: checkVariants refuses it with the count it needs.
  if (variants?.length === 0) return null;
  return setPlanOf(preset, template, variants)?.variants[0]?.concepts ?? null;
}
