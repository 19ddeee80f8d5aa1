// Output sets (docs/sets.md): the variants a template renders. The templates are in templates.ts,
// the files one photo adds to its job's set in set-files.ts, the set a job renders in set-plan.ts.
import { z } from "zod";
import { conceptsSchema } from "./rules";
import { TEMPLATE_VARIANTS } from "./templates";

export const VARIANT_NAME_MAX = 40;
export const variantSchema = z.object({
  name: z.string().trim().min(1).max(VARIANT_NAME_MAX),
  concepts: conceptsSchema,
});
export type Variant = z.infer<typeof variantSchema>;
/** The most variants any template takes. */
export const VARIANTS_MAX = Math.max(...Object.values(TEMPLATE_VARIANTS).map((range) => range?.max ?? 0));
export const variantsSchema = z.array(variantSchema).max(VARIANTS_MAX);
