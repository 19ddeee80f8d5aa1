// POST /jobs/{id}/confirm-upload: every input is in storage (and within the cap), so created → uploaded.
import { createRoute } from "@hono/zod-openapi";
import type { InputPin } from "../../rpc";
import { configOf } from "../../config";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { ApiError } from "../../lib/errors";
import { authErrors, errors, newRouter, ok } from "../../lib/openapi";
import { authedJobRoute, jobIdParams, jobNotFound, ownJob } from "./params";
import { jobStatusSchema } from "./schemas";

const confirmRoute = createRoute({
  ...authedJobRoute,
  method: "post",
  path: "/jobs/{id}/confirm-upload",
  summary: "Check every input is in storage: created → uploaded",
  request: { params: jobIdParams },
  responses: {
    200: ok(jobStatusSchema, "The job is uploaded."),
    ...errors(
      [400, "VALIDATION_ERROR: an input is missing or too large (the job stays created)"],
      authErrors,
      jobNotFound,
      [409, "INVALID_TRANSITION or ALREADY_CANCELED"],
    ),
  },
});

export const confirmUpload = newRouter().openapi(confirmRoute, async (c) => {
  const userId = c.get("userId");
  const jobId = c.req.valid("param").id;
  const job = await ownJob(c.env, userId, jobId);
  // Only a created job is worth checking storage for; otherwise the coordinator names the refusal.
  let pins: InputPin[] = [];
  if (job.status === "created") {
    const maxBytes = configOf(c.env).storage.maxUploadBytes;
    const heads = await Promise.all(
      job.items.map(async (item) => ({ idx: item.idx, head: await c.env.BUCKET.head(item.input_key) })),
    );
    const missing = heads.filter(({ head }) => head === null).map(({ idx }) => idx);
    const oversized = heads.filter(({ head }) => head !== null && head.size > maxBytes).map(({ idx }) => idx);
    const problems = [
      ...(missing.length ? [`missing input for idx ${missing.join(", ")}`] : []),
      ...(oversized.length ? [`input over ${maxBytes} bytes for idx ${oversized.join(", ")}`] : []),
    ];
    if (problems.length) throw new ApiError("VALIDATION_ERROR", `Upload incomplete: ${problems.join("; ")}.`);
    pins = heads.map(({ idx, head }) => ({ idx, size: head!.size, etag: head!.httpEtag }));
  }
  const confirmed = unwrap(await jobCoordinator(c.env, jobId).confirmUpload(userId, pins)).job;
  return c.json(success(c, { job_id: confirmed.job_id, status: confirmed.status }), 200);
});
