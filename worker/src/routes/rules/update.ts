// PUT /rules/{id}: change a rule's name, concepts or protect list, checked against its preset.
import { createRoute } from "@hono/zod-openapi";
import { updateRule as writeRule, type RuleView } from "../../db/rules";
import { success } from "../../lib/envelope";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { checkRule, presetOrInvalid } from "../../lib/rule-check";
import { findOwnRule } from "../../lib/rules";
import { authedRuleRoute, ruleIdParams, ruleSchema, updateRuleBodySchema } from "./schemas";

const updateRuleRoute = createRoute({
  ...authedRuleRoute,
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

export const updateRule = newRouter().openapi(updateRuleRoute, async (c) => {
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
  await writeRule(c.env.DB, userId, next);
  return c.json(success(c, next), 200);
});
