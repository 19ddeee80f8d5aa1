// The ops route's `Bearer <ADMIN_SECRET>`; without that secret configured the route does not exist (404).
import { createMiddleware } from "hono/factory";
import { configOf } from "../config";
import { bearerToken, secretMatches } from "../lib/auth";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = configOf(c.env).adminSecret;
  if (!expected) throw new ApiError("NOT_FOUND");
  const header = c.req.header("Authorization");
  if (!header) throw new ApiError("AUTH_REQUIRED");
  if (!(await secretMatches(bearerToken(header), expected))) throw new ApiError("TOKEN_INVALID");
  await next();
});
