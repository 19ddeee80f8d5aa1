// GET /rules/{id}: one of the caller's rules.
import { createRoute } from "@hono/zod-openapi";
import { success } from "../../lib/envelope";
import { authErrors, errors, newRouter, ok } from "../../lib/openapi";
import { findOwnRule } from "../../lib/rules";
import { authedRuleRoute, ruleIdParams, ruleSchema } from "./schemas";

const getRuleRoute = createRoute({
  ...authedRuleRoute,
  method: "get",
  path: "/rules/{id}",
  summary: "One of my rules",
  request: { params: ruleIdParams },
  responses: {
    200: ok(ruleSchema, "The rule."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [404, "RULE_NOT_FOUND"]),
  },
});

export const getRule = newRouter().openapi(getRuleRoute, async (c) => {
  const rule = await findOwnRule(c.env, c.get("userId"), c.req.valid("param").id);
  return c.json(success(c, rule), 200);
});
