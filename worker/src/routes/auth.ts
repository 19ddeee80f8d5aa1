// POST /auth/anon: a new anonymous user, its ledger, and a 30-day token.
import { createRoute, z } from "@hono/zod-openapi";
import { insertUser } from "../db/users";
import { errors, newRouter, ok } from "../lib/openapi";
import { issueToken, rememberUser } from "../lib/auth";
import { configOf } from "../config";
import { userLimiter } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";

export const anonUserSchema = z
  .object({
    user_id: z.string().openapi({ example: "u_k3q9v2m7x4c8b6n1p5r0t2w4y6" }),
    token: z.string().openapi({ description: "HS256 JWT, valid 30 days; send as `Authorization: Bearer <token>`." }),
  })
  .openapi("AnonUser");

const anonRoute = createRoute({
  method: "post",
  path: "/auth/anon",
  tags: ["auth"],
  summary: "Create an anonymous user",
  responses: {
    200: ok(anonUserSchema, "The new user and its token."),
    ...errors(
      [429, "RATE_LIMITED: ANON_PER_MINUTE signups from this IP this minute (see Retry-After)"],
      [500, "INTERNAL_ERROR"],
    ),
  },
});

/**
 * The caller's IP as Cloudflare reports it. Without CF-Connecting-IP (local dev only) every caller
 * shares one key: X-Forwarded-For is the client's to write, so it is never trusted (docs/trust.md).
 */
export function clientIp(request: Request): string {
  return request.headers.get("CF-Connecting-IP") ?? "unknown";
}

export const authRouter = newRouter().openapi(anonRoute, async (c) => {
  const config = configOf(c.env);
  const gate = c.env.SIGNUP_GATE.get(c.env.SIGNUP_GATE.idFromName(clientIp(c.req.raw)));
  const verdict = await gate.take(config.anonPerMinute);
  if (!verdict.ok) {
    throw new ApiError("RATE_LIMITED", undefined, undefined, { "Retry-After": String(verdict.retryAfterSec) });
  }
  const userId = newId("u");
  await insertUser(c.env.DB, userId);
  await userLimiter(c.env, userId).init(userId);
  rememberUser(userId);
  const token = await issueToken(config.jwtSecret, userId);
  return c.json(success(c, { user_id: userId, token }), 200);
});
