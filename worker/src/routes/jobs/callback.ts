// POST /jobs/{id}/callback: one item's result from the GPU worker (docs/messages.md). The body is parsed
// here, once, with the contract's schema, and reaches the JobCoordinator typed.
import { createRoute, z } from "@hono/zod-openapi";
import { callbackBodySchema, JOB_STATUSES } from "@s3/contract";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { body, errors, newRouter, ok } from "../../lib/openapi";
import { requireGpuSecret } from "../../middleware/require-gpu-secret";
import { checkJobId } from "../../lib/ids";
import { jobIdParams } from "./params";

export const callbackResultSchema = z
  .object({
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    recorded: z
      .boolean()
      .openapi({ description: "false when this report changed nothing (a repeat, a final item, a canceled job)." }),
  })
  .openapi("CallbackResult");

const callbackRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/callback",
  tags: ["callback"],
  summary: "One item's result from the GPU worker (Bearer GPU_CALLBACK_SECRET)",
  security: [{ GpuSecret: [] }],
  middleware: [requireGpuSecret],
  request: { params: jobIdParams, body: body(callbackBodySchema.openapi("CallbackBody")) },
  responses: {
    200: ok(callbackResultSchema, "Recorded once; repeats answer 200 and change nothing."),
    ...errors([400, "VALIDATION_ERROR"], [403, "CALLBACK_UNAUTHORIZED"], [404, "JOB_NOT_FOUND"]),
  },
});

export const jobCallback = newRouter().openapi(callbackRoute, async (c) => {
  const jobId = checkJobId(c.req.valid("param").id);
  const { job, recorded } = unwrap(await jobCoordinator(c.env, jobId).callback(c.req.valid("json")));
  return c.json(success(c, { job_id: job.job_id, status: job.status, recorded }), 200);
});
