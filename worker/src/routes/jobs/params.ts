// What every job endpoint shares: the `{id}` path parameter, the caller's job and the
// route options of an authenticated job endpoint.
import { z } from "@hono/zod-openapi";
import type { JobView } from "../../rpc";
import { requireUser } from "../../middleware/require-user";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { checkJobId } from "../../lib/ids";
import { bearerAuth } from "../../lib/openapi";

export const jobIdParams = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "job_k3q9v2m7x4c8b6n1p5r0t2w4y6" }),
});

/** The caller's job (JOB_NOT_FOUND for another user's). */
export async function ownJob(env: Env, userId: string, jobId: string): Promise<JobView> {
  return unwrap(await jobCoordinator(env, checkJobId(jobId)).get(userId)).job;
}

export const authedJobRoute = { security: bearerAuth, middleware: [requireUser], tags: ["jobs"] };
export const jobNotFound: [number, string] = [404, "JOB_NOT_FOUND"];
