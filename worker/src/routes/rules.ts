// Saved rules (docs/architecture.md, Endpoints): D1 rows, with the slot count held by the UserLimiter.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { conceptsSchema, NAME_MAX, protectSchema, type RuleAction } from "@s3/contract";
import { getDb, schema } from "../db";
import { authErrors, bearerAuth, body, errors, newRouter, ok } from "../lib/openapi";
import { requireUser } from "../lib/auth";
import { unwrap, userLimiter } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import { ID_PATTERN } from "../lib/ids";
import { idempotency, idempotencyRequest, idToCreate, replayable } from "../middleware/idempotency";
import { checkRule, presetOrInvalid } from "../lib/rule-check";

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
export type RuleView = z.infer<typeof ruleSchema>;

/** GET /rules items carry concepts and protect, so a client can show or edit a rule without a second request. */
export const ruleSummarySchema = ruleSchema.openapi("RuleSummary");

export const createRuleBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(NAME_MAX),
    preset_id: z.string().max(64).openapi({ example: "interior" }),
    concepts: conceptsDoc,
    protect: protectDoc.default([]),
  })
  .openapi("CreateRule");

export const updateRuleBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(NAME_MAX).optional(),
    concepts: conceptsDoc.optional(),
    protect: protectDoc.optional(),
  })
  .refine((update) => update.name !== undefined || update.concepts !== undefined || update.protect !== undefined, {
    message: "give at least one of name, concepts, protect",
  })
  .openapi("UpdateRule");

const ruleIdParams = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "rule_k3q9v2m7x4c8b6n1p5r0t2w4y6" }),
});

function toView(row: schema.Rule): RuleView {
  return {
    id: row.id,
    name: row.name,
    preset_id: row.preset_id,
    concepts: JSON.parse(row.concepts_json) as Record<string, RuleAction>,
    protect: JSON.parse(row.protect_json) as string[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The caller's rule, or RULE_NOT_FOUND (also for another user's rule). */
export async function findOwnRule(env: Env, userId: string, ruleId: string): Promise<RuleView> {
  if (!ID_PATTERN.rule.test(ruleId)) throw new ApiError("RULE_NOT_FOUND");
  const row = await getDb(env.DB)
    .select()
    .from(schema.rules)
    .where(and(eq(schema.rules.id, ruleId), eq(schema.rules.user_id, userId)))
    .get();
  if (!row) throw new ApiError("RULE_NOT_FOUND");
  return toView(row);
}

const authed = { security: bearerAuth, middleware: [requireUser], tags: ["rules"] };

const createRuleRoute = createRoute({
  ...authed,
  middleware: [requireUser, idempotency({ creates: "rule" })],
  method: "post",
  path: "/rules",
  summary: "Save a rule",
  request: { body: body(createRuleBodySchema), headers: idempotencyRequest },
  responses: {
    200: replayable(ok(ruleSchema, "The saved rule.")),
    ...errors(
      [400, "VALIDATION_ERROR"],
      authErrors,
      [403, "RULE_SLOT_FULL"],
      [409, "IDEMPOTENCY_CONFLICT"],
      [413, "VALIDATION_ERROR: body over 256 KB"],
    ),
  },
});

const listRulesRoute = createRoute({
  ...authed,
  method: "get",
  path: "/rules",
  summary: "My rules, newest first",
  responses: { 200: ok(z.array(ruleSummarySchema), "The caller's rules."), ...errors(authErrors) },
});

const getRuleRoute = createRoute({
  ...authed,
  method: "get",
  path: "/rules/{id}",
  summary: "One of my rules",
  request: { params: ruleIdParams },
  responses: {
    200: ok(ruleSchema, "The rule."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [404, "RULE_NOT_FOUND"]),
  },
});

const updateRuleRoute = createRoute({
  ...authed,
  method: "put",
  path: "/rules/{id}",
  summary: "Update a rule's name, concepts or protect list",
  request: { params: ruleIdParams, body: body(updateRuleBodySchema) },
  responses: {
    200: ok(ruleSchema, "The updated rule."),
    ...errors(
      [400, "VALIDATION_ERROR"],
      authErrors,
      [404, "RULE_NOT_FOUND"],
      [413, "VALIDATION_ERROR: body over 256 KB"],
    ),
  },
});

const deleteRuleRoute = createRoute({
  ...authed,
  method: "delete",
  path: "/rules/{id}",
  summary: "Delete a rule and free its slot",
  request: { params: ruleIdParams },
  responses: {
    200: ok(z.object({ id: z.string() }), "The deleted rule's id."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [404, "RULE_NOT_FOUND"]),
  },
});

export const rulesRouter = newRouter()
  .openapi(createRuleRoute, async (c) => {
    const userId = c.get("userId");
    const input = c.req.valid("json");
    const preset = presetOrInvalid(input.preset_id);
    const protect = checkRule(preset, input.concepts, input.protect);
    const ruleId = idToCreate(c, "rule");
    const limiter = userLimiter(c.env, userId);
    unwrap(await limiter.claimRuleSlot(ruleId));
    const at = new Date().toISOString();
    const row: schema.Rule = {
      id: ruleId,
      user_id: userId,
      name: input.name,
      preset_id: preset.id,
      concepts_json: JSON.stringify(input.concepts),
      protect_json: JSON.stringify(protect),
      created_at: at,
      updated_at: at,
    };
    try {
      // A retry that took over a dead first attempt may find its row already written.
      await getDb(c.env.DB).insert(schema.rules).values(row).onConflictDoNothing();
    } catch (error) {
      await limiter.releaseRuleSlot(ruleId);
      throw error;
    }
    return c.json(success(c, toView(row)), 200);
  })
  .openapi(listRulesRoute, async (c) => {
    const rows = await getDb(c.env.DB)
      .select()
      .from(schema.rules)
      .where(eq(schema.rules.user_id, c.get("userId")))
      .orderBy(desc(schema.rules.created_at), desc(schema.rules.id));
    return c.json(success(c, rows.map(toView)), 200);
  })
  .openapi(getRuleRoute, async (c) => {
    const rule = await findOwnRule(c.env, c.get("userId"), c.req.valid("param").id);
    return c.json(success(c, rule), 200);
  })
  .openapi(updateRuleRoute, async (c) => {
    const userId = c.get("userId");
    const current = await findOwnRule(c.env, userId, c.req.valid("param").id);
    const update = c.req.valid("json");
    const concepts = update.concepts ?? current.concepts;
    const protect = checkRule(presetOrInvalid(current.preset_id), concepts, update.protect ?? current.protect);
    const next: RuleView = {
      ...current,
      name: update.name ?? current.name,
      concepts,
      protect,
      updated_at: new Date().toISOString(),
    };
    await getDb(c.env.DB)
      .update(schema.rules)
      .set({
        name: next.name,
        concepts_json: JSON.stringify(next.concepts),
        protect_json: JSON.stringify(next.protect),
        updated_at: next.updated_at,
      })
      .where(and(eq(schema.rules.id, current.id), eq(schema.rules.user_id, userId)));
    return c.json(success(c, next), 200);
  })
  .openapi(deleteRuleRoute, async (c) => {
    const userId = c.get("userId");
    const rule = await findOwnRule(c.env, userId, c.req.valid("param").id);
    await getDb(c.env.DB)
      .delete(schema.rules)
      .where(and(eq(schema.rules.id, rule.id), eq(schema.rules.user_id, userId)));
    // Released after the row is gone: a failure here costs the user a slot, never grants one.
    unwrap(await userLimiter(c.env, userId).releaseRuleSlot(rule.id));
    return c.json(success(c, { id: rule.id }), 200);
  });
