// POST /jobs: reserve credits and a concurrency slot, create the job, answer presigned upload URLs.
import { createRoute } from "@hono/zod-openapi";
import { PLANS, storageKeys } from "@s3/contract";
import { configOf } from "../../config";
import { jobCoordinator, unwrap, userLimiter } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { newId } from "../../lib/ids";
import { logJobCreated } from "../../lib/job-history";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { presetOrInvalid } from "../../lib/rule-check";
import { presignUpload } from "../../lib/storage";
import { authedJobRoute } from "./params";
import { createdJobSchema, createJobBodySchema } from "./schemas";

const createJobRoute = createRoute({
  ...authedJobRoute,
  method: "post",
  path: "/jobs",
  summary: "Create a job: reserve credits and a concurrency slot, get presigned upload URLs",
  request: { body: body(createJobBodySchema) },
  responses: {
    200: ok(createdJobSchema, "The job, one presigned PUT URL per item, and where to confirm the upload."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [402, "CREDITS_EXHAUSTED"], [429, "CONCURRENCY_LIMIT"]),
  },
});

export const createJob = newRouter().openapi(createJobRoute, async (c) => {
  const userId = c.get("userId");
  const input = c.req.valid("json");
  const preset = presetOrInvalid(input.preset);
  const jobId = newId("job");
  const limiter = userLimiter(c.env, userId);
  const { state } = unwrap(await limiter.reserve(jobId, input.item_count));
  try {
    unwrap(
      await jobCoordinator(c.env, jobId).create({
        job_id: jobId,
        user_id: userId,
        preset: preset.id,
        item_count: input.item_count,
        watermark: PLANS[state.plan].watermark,
      }),
    );
  } catch (error) {
    await limiter.rollback(jobId, input.item_count);
    throw error;
  }
  await logJobCreated(c.env, { job_id: jobId, user_id: userId, preset: preset.id, item_count: input.item_count });
  const config = configOf(c.env);
  const upload = await Promise.all(
    Array.from({ length: input.item_count }, async (_, idx) => {
      const key = storageKeys.input(userId, jobId, idx);
      return { idx, url: await presignUpload(config, key), key };
    }),
  );
  return c.json(
    success(c, { job_id: jobId, upload, confirm_url: `${config.publicBaseUrl}/jobs/${jobId}/confirm-upload` }),
    200,
  );
});
