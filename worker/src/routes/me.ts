// GET /me: the caller's plan and balances, as the UserLimiter holds them.
import { createRoute, z } from "@hono/zod-openapi";
import { PLAN_IDS } from "@s3/contract";
import type { UserState } from "../durable-objects/api";
import { authErrors, bearerAuth, errors, newRouter, ok } from "../lib/openapi";
import { requireUser } from "../lib/auth";
import { userLimiter } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";

export const meSchema = z
  .object({
    user_id: z.string(),
    plan: z.enum(PLAN_IDS),
    credits: z.number().int(),
    active_jobs: z.number().int(),
    rule_slots: z.object({ used: z.number().int(), max: z.number().int() }),
  })
  .openapi("Me");

/** The ledger fields GET /me shows (and the admin route answers with). */
export function meView({ user_id, plan, credits, active_jobs, rule_slots }: UserState): z.infer<typeof meSchema> {
  return { user_id, plan, credits, active_jobs, rule_slots };
}

const meRoute = createRoute({
  method: "get",
  path: "/me",
  tags: ["me"],
  summary: "My plan, credits, active jobs and rule slots",
  security: bearerAuth,
  middleware: [requireUser],
  responses: {
    200: ok(meSchema, "The caller's ledger."),
    ...errors(authErrors),
  },
});

export const meRouter = newRouter().openapi(meRoute, async (c) => {
  const state = await userLimiter(c.env, c.get("userId")).state();
  if (!state) throw new ApiError("TOKEN_INVALID");
  return c.json(success(c, meView(state)), 200);
});
