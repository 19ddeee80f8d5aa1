// Operations only, not one of the 14 endpoints: POST /admin/users/{id}/plan changes a
// user's plan and may grant credits. Authorized by `Bearer <ADMIN_SECRET>`; when that
// secret is not configured the route does not exist (404 NOT_FOUND).
import { createRoute, z } from "@hono/zod-openapi";
import { PLAN_IDS } from "@s3/contract";
import { updateUserPlan } from "../db/users";
import { body, errors, newRouter, ok } from "../lib/openapi";
import { requireAdmin } from "../middleware/require-admin";
import { unwrap, userLimiter } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import { ID_PATTERN } from "../lib/ids";
import { meSchema, meView } from "./schemas";

export const setPlanBodySchema = z
  .object({
    plan: z.enum(PLAN_IDS),
    grant_credits: z.number().int().min(0).max(1_000_000).optional(),
  })
  .openapi("SetPlan");

const setPlanRoute = createRoute({
  method: "post",
  path: "/admin/users/{id}/plan",
  tags: ["admin"],
  summary: "Operations: set a user's plan, optionally grant credits (Bearer ADMIN_SECRET)",
  security: [{ AdminSecret: [] }],
  middleware: [requireAdmin],
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
    body: body(setPlanBodySchema),
  },
  responses: {
    200: ok(meSchema, "The user's ledger after the change."),
    ...errors(
      [400, "VALIDATION_ERROR"],
      [401, "AUTH_REQUIRED or TOKEN_INVALID"],
      [404, "NOT_FOUND: no such user, or ADMIN_SECRET unset"],
    ),
  },
});

export const adminRouter = newRouter().openapi(setPlanRoute, async (c) => {
  const userId = c.req.valid("param").id;
  const { plan, grant_credits } = c.req.valid("json");
  const limiter = userLimiter(c.env, userId);
  if (!ID_PATTERN.u.test(userId) || !(await limiter.state())) throw new ApiError("NOT_FOUND", "No such user.");
  const { state } = unwrap(await limiter.setPlan(plan, grant_credits));
  await updateUserPlan(c.env.DB, userId, plan, state.credits);
  return c.json(success(c, meView(state)), 200);
});
