// GET and POST /me/webhook-secret (docs/webhooks.md): the key a receiver verifies deliveries with.
import { createRoute, z } from "@hono/zod-openapi";
import { authErrors, bearerAuth, errors, newRouter, ok } from "../../lib/openapi";
import { requireUser } from "../../middleware/require-user";
import { unwrap, userLimiter } from "../../lib/durable";
import { success } from "../../lib/envelope";

export const webhookSecretSchema = z
  .object({
    secret: z.string().openapi({
      description: "whsec_ + base64 of 32 random bytes: a Standard Webhooks verifier takes it as is.",
      example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    }),
    previous_valid_until: z.string().nullable().openapi({
      description: "After a rotation: until when deliveries also carry a signature of the previous secret.",
    }),
  })
  .openapi("WebhookSecret");

const base = { security: bearerAuth, middleware: [requireUser], tags: ["webhooks"], path: "/me/webhook-secret" };

const getRoute = createRoute({
  ...base,
  method: "get",
  operationId: "getWebhookSecret",
  summary: "My webhook signing secret (made on first call)",
  responses: { 200: ok(webhookSecretSchema, "The current secret."), ...errors(authErrors) },
});

const rotateRoute = createRoute({
  ...base,
  method: "post",
  operationId: "rotateWebhookSecret",
  summary: "Rotate my webhook signing secret; for 24 h deliveries are signed with both",
  responses: { 200: ok(webhookSecretSchema, "The new secret."), ...errors(authErrors) },
});

export const webhookSecretRouter = newRouter()
  .openapi(getRoute, async (c) => {
    const { secret } = unwrap(await userLimiter(c.env, c.get("userId")).webhookSecret());
    return c.json(success(c, secret), 200);
  })
  .openapi(rotateRoute, async (c) => {
    const { secret } = unwrap(await userLimiter(c.env, c.get("userId")).rotateWebhookSecret());
    return c.json(success(c, secret), 200);
  });
