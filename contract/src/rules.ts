// What a rule is made of: concepts edited with an action and a value, and concepts protected
// (docs/architecture.md, Presets and rules). Rules, execute bodies, variants and queue messages share these.
import { z } from "zod";

export const ACTIONS = ["recolor", "tone", "texture"] as const;
export type Action = (typeof ACTIONS)[number];

export const NAME_MAX = 100;
export const VALUE_MAX = 64;

export const conceptNameSchema = z.string().min(1).max(NAME_MAX);
export const ruleActionSchema = z.object({
  action: z.enum(ACTIONS),
  value: z.string().min(1).max(VALUE_MAX),
});
export type RuleAction = z.infer<typeof ruleActionSchema>;
export const conceptsSchema = z.record(conceptNameSchema, ruleActionSchema);
export const protectSchema = z.array(conceptNameSchema).max(64);
