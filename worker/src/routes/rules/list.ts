// GET /rules: the caller's rules, newest first.
import { createRoute, z } from "@hono/zod-openapi";
import { selectRules } from "../../db/rules";
import { success } from "../../lib/envelope";
import { authErrors, errors, newRouter, ok } from "../../lib/openapi";
import { authedRuleRoute, ruleSummarySchema } from "./schemas";

const listRulesRoute = createRoute({
  ...authedRuleRoute,
  method: "get",
  path: "/rules",
  summary: "My rules, newest first",
  responses: { 200: ok(z.array(ruleSummarySchema), "The caller's rules."), ...errors(authErrors) },
});

export const listRules = newRouter().openapi(listRulesRoute, async (c) => {
  return c.json(success(c, await selectRules(c.env.DB, c.get("userId"))), 200);
});
