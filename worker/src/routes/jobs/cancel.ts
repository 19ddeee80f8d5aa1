// POST /jobs/{id}/cancel: the JobCoordinator cancels, refunds and stops the provider's work.
import { createRoute } from "@hono/zod-openapi";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { authErrors, errors, newRouter, ok } from "../../lib/openapi";
import { checkJobId } from "../../lib/ids";
import { authedJobRoute, jobIdParams, jobNotFound } from "./params";
import { canceledJobSchema } from "./schemas";

const cancelRoute = createRoute({
  ...authedJobRoute,
  method: "post",
  path: "/jobs/{id}/cancel",
  summary: "Cancel a job and refund every item not yet done",
  request: { params: jobIdParams },
  responses: {
    200: ok(canceledJobSchema, "The job is canceled."),
    ...errors(authErrors, jobNotFound, [409, "INVALID_TRANSITION or ALREADY_CANCELED"]),
  },
});

export const cancelJob = newRouter().openapi(cancelRoute, async (c) => {
  const { job, refunded } = unwrap(
    await jobCoordinator(c.env, checkJobId(c.req.valid("param").id)).cancel(c.get("userId")),
  );
  return c.json(success(c, { job_id: job.job_id, status: job.status, refunded }), 200);
});
