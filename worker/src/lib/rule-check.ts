// What makes a rule (saved or inline at execute) valid for a preset (docs/architecture.md, Presets and rules).
import { findPreset, knownConceptNames, ruleValueProblem, type Preset, type RuleAction } from "@s3/contract";
import { ApiError } from "./errors";

export function presetOrInvalid(presetId: string): Preset {
  const preset = findPreset(presetId);
  if (!preset) throw new ApiError("VALIDATION_ERROR", `Unknown preset "${presetId}".`);
  return preset;
}

/**
 * VALIDATION_ERROR unless every edited concept is in the preset's palette with a value it
 * accepts, every protect name is a concept or protect default of the preset, at least one
 * concept is edited, and no concept is both edited and protected (the edit could never apply).
 * Returns protect without duplicates.
 */
export function checkRule(preset: Preset, concepts: Record<string, RuleAction>, protect: readonly string[]): string[] {
  const entries = Object.entries(concepts);
  if (entries.length === 0) throw new ApiError("VALIDATION_ERROR", "concepts: a rule must edit at least one concept.");
  for (const [concept, { action, value }] of entries) {
    // Own keys only: "constructor" or "__proto__" must not reach the palette lookup.
    if (!Object.hasOwn(preset.palette, concept)) {
      throw new ApiError("VALIDATION_ERROR", `concepts.${concept}: not in the ${preset.id} palette.`);
    }
    const problem = ruleValueProblem(preset, concept, action, value);
    if (problem) throw new ApiError("VALIDATION_ERROR", `concepts.${concept}: ${problem}.`);
  }
  const known = knownConceptNames(preset);
  const unknown = protect.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ApiError(
      "VALIDATION_ERROR",
      `protect: ${unknown.map((name) => `"${name}"`).join(", ")} not in the ${preset.id} preset.`,
    );
  }
  const both = protect.filter((name) => Object.hasOwn(concepts, name));
  if (both.length > 0) {
    throw new ApiError("VALIDATION_ERROR", `${both.join(", ")}: a concept cannot be both edited and protected.`);
  }
  return [...new Set(protect)];
}
