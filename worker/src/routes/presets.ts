// GET /presets and GET /presets/{id}: the catalog (docs/architecture.md), straight from the contract.
import { createRoute, z } from "@hono/zod-openapi";
import {
  ACTIONS,
  COLORS,
  conceptsSchema,
  findPreset,
  presetLabels,
  PRESETS,
  TEMPLATE_SLUGS,
  TEXTURES,
  TONES,
  type Preset,
} from "@s3/contract";
import { errors, newRouter, ok } from "../lib/openapi";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";

export const presetSummarySchema = z
  .object({ id: z.string(), name: z.string(), concept_count: z.number().int() })
  .openapi("PresetSummary");

const conceptPaletteSchema = z.object({
  recolor: z.array(z.string()).openapi({ description: "Colour ids; any #RRGGBB is accepted too." }),
  tone: z.array(z.string()),
  texture: z.array(z.string()),
});

const labelSchema = z
  .object({ ko: z.string(), en: z.string() })
  .openapi("Label", { example: { ko: "밝은 오크", en: "Light oak" } });
const labelsOf = (what: string) =>
  z.record(z.string(), labelSchema).openapi({ description: `${what} id → its names.` });

const presetLabelsSchema = z
  .object({
    preset: labelSchema,
    concepts: labelsOf("Concept and protect concept"),
    actions: labelsOf("Action"),
    colors: labelsOf("Colour"),
    tones: labelsOf("Tone"),
    textures: labelsOf("Texture"),
    styles: labelsOf("Style"),
    output_templates: labelsOf("Output template (by id)"),
  })
  .openapi("PresetLabels", {
    description: "What a person reads in place of each id, in Korean and English (docs/labels.md).",
  });

export const presetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    concepts: z.array(z.string()),
    protect_defaults: z.array(z.string()),
    output_templates: z.array(
      z.object({
        id: z.string().openapi({ description: "What execute's output_template names (the slug is accepted too)." }),
        slug: z.enum(TEMPLATE_SLUGS).openapi({ description: "ASCII: used in set keys and ZIP file names." }),
        name: z.string(),
        description: z.string(),
        needs_variants: z.boolean().openapi({ description: "execute must name variants for this template." }),
      }),
    ),
    styles: z
      .array(z.object({ name: z.string(), concepts: conceptsSchema }))
      .openapi({ description: "Built-in looks: three_options' variants when execute names none (docs/sets.md)." }),
    palette: z
      .object({
        actions: z.array(z.enum(ACTIONS)),
        colors: z
          .record(z.string(), z.string())
          .openapi({ description: "Colour id → #RRGGBB for every colour the preset names." }),
        tones: z.array(z.string()),
        textures: z.array(z.string()),
        concepts: z
          .record(z.string(), conceptPaletteSchema)
          .openapi({ description: "Concept → the values each action accepts for it." }),
      })
      .openapi({ description: "What a rule may say for each concept of this preset." }),
    labels: presetLabelsSchema,
  })
  .openapi("Preset");
export type PresetView = z.infer<typeof presetSchema>;

export function presetView(preset: Preset): PresetView {
  const concepts = Object.fromEntries(
    Object.entries(preset.palette).map(([concept, palette]) => [
      concept,
      { recolor: [...palette.recolor], tone: [...palette.tone], texture: [...palette.texture] },
    ]),
  );
  const colorIds = new Set(Object.values(preset.palette).flatMap((palette) => palette.recolor));
  return {
    id: preset.id,
    name: preset.name,
    concepts: [...preset.concepts],
    protect_defaults: [...preset.protect_defaults],
    output_templates: preset.output_templates.map(({ id, slug, name, description, needs_variants }) => ({
      id,
      slug,
      name,
      description,
      needs_variants,
    })),
    styles: preset.styles.map(({ name, concepts }) => ({ name, concepts: { ...concepts } })),
    palette: {
      actions: [...ACTIONS],
      colors: Object.fromEntries(Object.entries(COLORS).filter(([id]) => colorIds.has(id as keyof typeof COLORS))),
      tones: [...TONES],
      textures: [...TEXTURES],
      concepts,
    },
    labels: presetLabels(preset),
  };
}

const listRoute = createRoute({
  method: "get",
  path: "/presets",
  tags: ["presets"],
  summary: "List the domain presets",
  responses: { 200: ok(z.array(presetSummarySchema), "Every preset.") },
});

const getRoute = createRoute({
  method: "get",
  path: "/presets/{id}",
  tags: ["presets"],
  summary: "One preset with its concepts, protect defaults, output templates and palette",
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" }, example: "interior" }),
    }),
  },
  responses: {
    200: ok(presetSchema, "The preset."),
    ...errors([400, "VALIDATION_ERROR"], [404, "NOT_FOUND: no such preset"]),
  },
});

export const presetsRouter = newRouter()
  .openapi(listRoute, (c) =>
    c.json(
      success(
        c,
        PRESETS.map((preset) => ({ id: preset.id, name: preset.name, concept_count: preset.concepts.length })),
      ),
      200,
    ),
  )
  .openapi(getRoute, (c) => {
    const preset = findPreset(c.req.valid("param").id);
    if (!preset) throw new ApiError("NOT_FOUND", "No such preset.");
    return c.json(success(c, presetView(preset)), 200);
  });
