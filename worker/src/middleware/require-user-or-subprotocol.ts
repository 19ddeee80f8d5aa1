// requireUser for a WebSocket handshake, where browsers cannot set headers: the JWT offered as the
// `bearer.<JWT>` subprotocol (docs/events.md), else the Authorization header's.
import { createMiddleware } from "hono/factory";
import { authenticate, subprotocolToken } from "../lib/auth";
import type { AppEnv } from "../lib/openapi";
import { requireUser } from "./require-user";

export const requireUserOrSubprotocol = createMiddleware<AppEnv>(async (c, next) => {
  const token = subprotocolToken(c.req.header("Sec-WebSocket-Protocol"));
  if (token === null) return requireUser(c, next);
  c.set("userId", await authenticate(c.env, token));
  await next();
});
