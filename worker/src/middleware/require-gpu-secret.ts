// The GPU worker's callbacks carry `Bearer <GPU_CALLBACK_SECRET>`; anything else is CALLBACK_UNAUTHORIZED.
import { createMiddleware } from "hono/factory";
import { configOf } from "../config";
import { bearerToken, secretMatches } from "../lib/auth";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";

export const requireGpuSecret = createMiddleware<AppEnv>(async (c, next) => {
  const presented = bearerToken(c.req.header("Authorization"));
  if (!(await secretMatches(presented, configOf(c.env).callbackSecret))) throw new ApiError("CALLBACK_UNAUTHORIZED");
  await next();
});
