// DELETE /jobs/{id} (docs/trust.md, "Retention"): a finished job's objects leave R2 now rather than
// after RETENTION_DAYS; GET /jobs/{id} still answers, with deleted_at and no URLs.
import { createRoute, z } from "@hono/zod-openapi";
import { authErrors, bearerAuth, errors, newRouter, ok } from "../../lib/openapi";
import { requireUser } from "../../middleware/require-user";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { checkJobId } from "../../lib/ids";
import { jobIdParams } from "./params";

export const deletedJobSchema = z.object({ id: z.string() }).openapi("DeletedJob");

const deleteJobRoute = createRoute({
  security: bearerAuth,
  middleware: [requireUser],
  tags: ["jobs"],
  method: "delete",
  path: "/jobs/{id}",
  summary: "Delete a finished job's inputs, outputs, previews, masks and set files; its history and billing stay",
  request: { params: jobIdParams },
  responses: {
    200: ok(deletedJobSchema, "The job's objects are deleted (repeating it changes nothing)."),
    ...errors(authErrors, [404, "JOB_NOT_FOUND"], [409, "INVALID_TRANSITION: the job has not finished"]),
  },
});

export const deleteJob = newRouter().openapi(deleteJobRoute, async (c) => {
  const jobId = checkJobId(c.req.valid("param").id);
  const { job } = unwrap(await jobCoordinator(c.env, jobId).purge(c.get("userId")));
  return c.json(success(c, { id: job.job_id }), 200);
});
