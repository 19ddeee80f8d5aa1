// DELETE /rules/{id}: the rule goes, then its slot is freed.
import { createRoute, z } from "@hono/zod-openapi";
import { deleteRule as removeRule } from "../../db/rules";
import { unwrap, userLimiter } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { authErrors, errors, newRouter, ok } from "../../lib/openapi";
import { findOwnRule } from "../../lib/rules";
import { authedRuleRoute, ruleIdParams } from "./schemas";

const deleteRuleRoute = createRoute({
  ...authedRuleRoute,
  method: "delete",
  path: "/rules/{id}",
  summary: "Delete a rule and free its slot",
  request: { params: ruleIdParams },
  responses: {
    200: ok(z.object({ id: z.string() }), "The deleted rule's id."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [404, "RULE_NOT_FOUND"]),
  },
});

export const deleteRule = newRouter().openapi(deleteRuleRoute, async (c) => {
  const userId = c.get("userId");
  const rule = await findOwnRule(c.env, userId, c.req.valid("param").id);
  await removeRule(c.env.DB, userId, rule.id);
  // Released after the row is gone: a failure here costs the user a slot, never grants one.
  unwrap(await userLimiter(c.env, userId).releaseRuleSlot(rule.id));
  return c.json(success(c, { id: rule.id }), 200);
});
