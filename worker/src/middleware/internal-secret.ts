// The internal OpenAPI document's door: `Authorization: Bearer` with the GPU callback secret or the
// admin secret (docs/trust.md); compared in constant time.
import { createMiddleware } from "hono/factory";
import { configOf } from "../config";
import { secretMatches } from "../lib/auth";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";

export const internalSecretOnly = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization");
  if (!header) throw new ApiError("AUTH_REQUIRED");
  const presented = header.startsWith("Bearer ") ? header.slice(7) : null;
  const config = configOf(c.env);
  const matches = await Promise.all([
    secretMatches(presented, config.callbackSecret),
    secretMatches(presented, config.adminSecret ?? ""),
  ]);
  if (!matches.some(Boolean)) throw new ApiError("TOKEN_INVALID");
  await next();
});
