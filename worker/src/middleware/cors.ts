// CORS for the origins in CORS_ORIGINS ("*" for any); one Hono cors middleware per origin list and isolate.
import { createMiddleware } from "hono/factory";
import { cors } from "hono/cors";
import { configOf } from "../config";
import type { AppEnv } from "../lib/openapi";

const corsByOrigins = new Map<string, ReturnType<typeof cors>>();

export const corsForOrigins = createMiddleware<AppEnv>(async (c, next) => {
  const allowed = configOf(c.env).corsOrigins;
  const key = allowed.join(",");
  let middleware = corsByOrigins.get(key);
  if (!middleware) {
    middleware = cors({
      origin: (origin) => (allowed.includes(origin) || allowed.includes("*") ? origin : null),
      allowHeaders: ["Authorization", "Content-Type"],
      exposeHeaders: ["X-Request-Id"],
      maxAge: 600,
    });
    corsByOrigins.set(key, middleware);
  }
  return middleware(c, next);
});
