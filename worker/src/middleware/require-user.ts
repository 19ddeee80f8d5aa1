// The JWT of `Authorization: Bearer` (docs/architecture.md, Conventions): sets `userId`; AUTH_REQUIRED,
// TOKEN_EXPIRED or TOKEN_INVALID otherwise.
import { createMiddleware } from "hono/factory";
import { authenticate, bearerToken } from "../lib/auth";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";

export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization");
  if (!header) throw new ApiError("AUTH_REQUIRED");
  const token = bearerToken(header);
  if (!token) throw new ApiError("TOKEN_INVALID");
  c.set("userId", await authenticate(c.env, token));
  await next();
});
