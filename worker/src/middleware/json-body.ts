// A body is JSON or nothing: a form or text body would otherwise reach the schema as {}.
import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";

export const jsonBodyOnly = createMiddleware<AppEnv>(async (c, next) => {
  const declaredLength = c.req.header("Content-Length");
  const hasBody =
    c.req.raw.body !== null &&
    (declaredLength === undefined ? c.req.header("Transfer-Encoding") !== undefined : declaredLength !== "0");
  if (hasBody && !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(c.req.header("Content-Type") ?? "")) {
    throw new ApiError("VALIDATION_ERROR", "The request body must be JSON (Content-Type: application/json).");
  }
  await next();
});
