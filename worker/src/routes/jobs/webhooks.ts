// GET /jobs/{id}/webhooks and POST /jobs/{id}/webhooks/{webhook_id}/replay (docs/webhooks.md).
import { createRoute, z } from "@hono/zod-openapi";
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_TYPES, type WebhookType } from "@s3/contract";
import { authErrors, bearerAuth, errors, newRouter, ok } from "../../lib/openapi";
import { requireUser } from "../../middleware/require-user";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { ApiError } from "../../lib/errors";
import { checkJobId } from "../../lib/ids";
import { jobIdParams } from "./params";

export const webhookDeliverySchema = z
  .object({
    webhook_id: z.string().openapi({ description: "The delivery's webhook-id header: one per event." }),
    type: z.enum(Object.values(WEBHOOK_TYPES) as [WebhookType, ...WebhookType[]]),
    attempts: z.number().int(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    last_status: z.number().int().nullable().openapi({ description: "The receiver's last HTTP status, if any." }),
    next_attempt_at: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

const WEBHOOK_ID = /^msg_[0-9a-f]{32}$/;

const authed = { security: bearerAuth, middleware: [requireUser], tags: ["webhooks"] };

const listRoute = createRoute({
  ...authed,
  method: "get",
  path: "/jobs/{id}/webhooks",
  operationId: "listJobWebhooks",
  summary: "A job's webhook deliveries, oldest first",
  request: { params: jobIdParams },
  responses: {
    200: ok(z.object({ deliveries: z.array(webhookDeliverySchema) }), "Every delivery of the job."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [404, "JOB_NOT_FOUND"]),
  },
});

const replayRoute = createRoute({
  ...authed,
  method: "post",
  path: "/jobs/{id}/webhooks/{webhook_id}/replay",
  operationId: "replayJobWebhook",
  summary: "Send one delivery again (same webhook-id, fresh retry schedule)",
  request: {
    params: jobIdParams.extend({
      webhook_id: z
        .string()
        .max(64)
        .openapi({ param: { name: "webhook_id", in: "path" }, example: "msg_0f8e2c4a9b7d4e1f8a6c3b5d7e9f1a2b" }),
    }),
  },
  responses: {
    200: ok(webhookDeliverySchema, "The delivery, pending again."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [404, "JOB_NOT_FOUND (or no such delivery)"]),
  },
});

export const jobWebhooks = newRouter()
  .openapi(listRoute, async (c) => {
    const jobId = checkJobId(c.req.valid("param").id);
    const { deliveries } = unwrap(await jobCoordinator(c.env, jobId).webhookDeliveries(c.get("userId")));
    return c.json(success(c, { deliveries }), 200);
  })
  .openapi(replayRoute, async (c) => {
    const { id, webhook_id } = c.req.valid("param");
    if (!WEBHOOK_ID.test(webhook_id)) throw new ApiError("JOB_NOT_FOUND", "No such webhook delivery.");
    const { delivery } = unwrap(await jobCoordinator(c.env, checkJobId(id)).replayWebhook(c.get("userId"), webhook_id));
    return c.json(success(c, delivery), 200);
  });
