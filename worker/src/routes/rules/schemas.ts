// The rule endpoints' schemas and path parameter (docs/architecture.md, Endpoints), shared by their files.
import { z } from "@hono/zod-openapi";
import { conceptsSchema, NAME_MAX, protectSchema } from "@s3/contract";
import { requireUser } from "../../middleware/require-user";
import { bearerAuth } from "../../lib/openapi";

const conceptsDoc = conceptsSchema.openapi({
  description: "concept → {action, value}; see GET /presets/{id} for the values each concept accepts.",
  example: { Floor: { action: "recolor", value: "oak_a" }, Wall: { action: "tone", value: "warm" } },
});
const protectDoc = protectSchema.openapi({
  description: "Concept names no edit may touch.",
  example: ["Grout", "Frame_Molding"],
});

export const ruleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    preset_id: z.string(),
    concepts: conceptsSchema,
    protect: z.array(z.string()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Rule");

/** GET /rules items carry concepts and protect, so a client can show or edit a rule without a second request. */
export const ruleSummarySchema = ruleSchema.openapi("RuleSummary");

export const createRuleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(NAME_MAX),
    preset_id: z.string().max(64).openapi({ example: "interior" }),
    concepts: conceptsDoc,
    protect: protectDoc.default([]),
  })
  .openapi("CreateRule");

export const updateRuleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(NAME_MAX).optional(),
    concepts: conceptsDoc.optional(),
    protect: protectDoc.optional(),
  })
  .refine((update) => update.name !== undefined || update.concepts !== undefined || update.protect !== undefined, {
    message: "give at least one of name, concepts, protect",
  })
  .openapi("UpdateRule");

export const ruleIdParams = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "rule_k3q9v2m7x4c8b6n1p5r0t2w4y6" }),
});

export const authedRuleRoute = { security: bearerAuth, middleware: [requireUser], tags: ["rules"] };
