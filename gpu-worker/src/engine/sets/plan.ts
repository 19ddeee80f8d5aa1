// Which set a queue message asks for (docs/sets.md): the template's slug and the variants it renders.
import {
  findPreset,
  findTemplate,
  knownConceptNames,
  setPlanOf,
  TEMPLATE_VARIANTS,
  type QueueMessage,
  type SetPlan,
  type Variant,
} from "@s3/contract";

export type SetMessage = Pick<QueueMessage, "preset" | "concepts" | "output_template" | "variants">;

/** The message's set, or null without a template; throws where the message names what its preset lacks. */
export function setPlan(message: SetMessage): SetPlan | null {
  if (message.output_template === undefined) return null;
  const preset = findPreset(message.preset);
  const template = preset && findTemplate(preset, message.output_template);
  if (!preset || !template) throw new Error(`template "${message.output_template}" is not one of the preset's`);
  const plan = setPlanOf(preset, template, message.variants)!;
  const limits = TEMPLATE_VARIANTS[template.slug];
  const count = plan.variants.length;
  if (limits && (count < limits.min || count > limits.max))
    throw new Error(`template ${template.slug} takes ${limits.min}–${limits.max} variants, not ${count}`);
  return plan;
}

/** Why the message's set cannot be rendered (an unknown template, a variant's foreign concept…), or null. */
export function setProblem(message: SetMessage): string | null {
  try {
    const plan = setPlan(message);
    if (!plan) return null;
    const known = knownConceptNames(findPreset(message.preset)!);
    const unknown = plan.variants.flatMap((variant) => Object.keys(variant.concepts)).find((name) => !known.has(name));
    return unknown === undefined ? null : `variant concept "${unknown}" is not one of preset ${message.preset}'s`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The concepts the variants edit: segmented with the job's own so each variant finds its masks. */
export function setConcepts(message: SetMessage): string[] {
  if (setProblem(message) !== null) return [];
  return [...new Set(setPlan(message)?.variants.flatMap((variant) => Object.keys(variant.concepts)) ?? [])];
}

/** Whether two concept maps make the same result: the main result then serves as that variant's. */
export function sameRule(a: Variant["concepts"], b: Variant["concepts"]): boolean {
  const canonical = (rule: Variant["concepts"]) =>
    JSON.stringify(
      Object.entries(rule)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([concept, action]) => [concept, action.action, action.value]),
    );
  return canonical(a) === canonical(b);
}
