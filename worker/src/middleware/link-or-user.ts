// A set ZIP's signed link (`sig` in the query) skips the JWT, which the handler's link check replaces;
// everything else needs one (requireUser).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/openapi";
import { requireUser } from "./require-user";

export const linkOrUser = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.query("sig") !== undefined) return next();
  return requireUser(c, next);
});
