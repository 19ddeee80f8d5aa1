// Every request gets an id: set for the handlers (the envelope's meta) and answered as X-Request-Id.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/openapi";

export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  await next();
  c.res.headers.set("X-Request-Id", id);
});
