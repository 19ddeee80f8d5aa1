// POST /rules: save a rule, holding one of the plan's rule slots.
import { createRoute } from "@hono/zod-openapi";
import type { Rule } from "../../db/schema";
import { insertRule, ruleView } from "../../db/rules";
import { unwrap, userLimiter } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { newId } from "../../lib/ids";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { checkRule, presetOrInvalid } from "../../lib/rule-check";
import { authedRuleRoute, createRuleBodySchema, ruleSchema } from "./schemas";

const createRuleRoute = createRoute({
  ...authedRuleRoute,
  method: "post",
  path: "/rules",
  summary: "Save a rule",
  request: { body: body(createRuleBodySchema) },
  responses: {
    200: ok(ruleSchema, "The saved rule."),
    ...errors(
      [400, "VALIDATION_ERROR"],
      authErrors,
      [403, "RULE_SLOT_FULL"],
      [413, "VALIDATION_ERROR: body over 256 KB"],
    ),
  },
});

export const createRule = newRouter().openapi(createRuleRoute, async (c) => {
  const userId = c.get("userId");
  const input = c.req.valid("json");
  const preset = presetOrInvalid(input.preset_id);
  const protect = checkRule(preset, input.concepts, input.protect);
  const ruleId = newId("rule");
  const limiter = userLimiter(c.env, userId);
  unwrap(await limiter.claimRuleSlot(ruleId));
  const at = new Date().toISOString();
  const row: Rule = {
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
    await insertRule(c.env.DB, row);
  } catch (error) {
    await limiter.releaseRuleSlot(ruleId);
    throw error;
  }
  return c.json(success(c, ruleView(row)), 200);
});
