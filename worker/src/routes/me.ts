// GET /me: the caller's plan and balances, as the UserLimiter holds them.
import { createRoute } from "@hono/zod-openapi";
import { authErrors, bearerAuth, errors, newRouter, ok } from "../lib/openapi";
import { requireUser } from "../middleware/require-user";
import { userLimiter } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import { meSchema, meView } from "./schemas";

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
