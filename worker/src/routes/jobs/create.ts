// POST /jobs: reserve credits and a concurrency slot, create the job, answer presigned upload URLs.
import { createRoute } from "@hono/zod-openapi";
import { PLANS, type CreatedJob } from "@s3/contract";
import { configOf } from "../../config";
import { jobCoordinator, unwrap, userLimiter } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { ApiError } from "../../lib/errors";
import { logJobCreated } from "../../lib/job-history";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { presetOrInvalid } from "../../lib/rule-check";
import { requireUser } from "../../middleware/require-user";
import { idempotency, idempotencyRequest, idToCreate, replayable } from "../../middleware/idempotency";
import { authedJobRoute, uploadUrls } from "./params";
import { createdJobSchema, createJobBodySchema } from "./schemas";

const createJobRoute = createRoute({
  ...authedJobRoute,
  middleware: [
    requireUser,
    idempotency({
      creates: "job",
      // A replay presigns the upload URLs afresh: the kept ones may have expired.
      replay: async (c, data) => {
        const created = data as CreatedJob;
        // The same key answers only the same body, so its declared sizes still hold.
        const sizes = createJobBodySchema.safeParse(await c.req.json().catch(() => null)).data?.sizes;
        const upload = await uploadUrls(c.env, c.get("userId"), created.job_id, created.upload.length, sizes);
        return { ...created, upload };
      },
    }),
  ],
  method: "post",
  path: "/jobs",
  summary: "Create a job: reserve credits and a concurrency slot, get presigned upload URLs",
  request: { body: body(createJobBodySchema), headers: idempotencyRequest },
  responses: {
    200: replayable(ok(createdJobSchema, "The job, one presigned PUT URL per item, and where to confirm the upload.")),
    ...errors(
      [400, "VALIDATION_ERROR"],
      authErrors,
      [402, "CREDITS_EXHAUSTED"],
      [409, "IDEMPOTENCY_CONFLICT"],
      [429, "CONCURRENCY_LIMIT (details.active_job_ids)"],
    ),
  },
});

/** The declared sizes, when given: one per item, each within MAX_UPLOAD_BYTES; VALIDATION_ERROR otherwise. */
function checkSizes(sizes: number[] | undefined, itemCount: number, maxBytes: number): number[] | undefined {
  if (sizes === undefined) return undefined;
  if (sizes.length !== itemCount) {
    throw new ApiError("VALIDATION_ERROR", `sizes: ${sizes.length} sizes for ${itemCount} items; give one per item.`);
  }
  const over = sizes.flatMap((size, idx) => (size > maxBytes ? [idx] : []));
  if (over.length) {
    throw new ApiError("VALIDATION_ERROR", `sizes: idx ${over.join(", ")} over MAX_UPLOAD_BYTES (${maxBytes} bytes).`);
  }
  return sizes;
}

/** The photos' file names, when given: one per item; VALIDATION_ERROR otherwise. */
function checkNames(names: string[] | undefined, itemCount: number): string[] | undefined {
  if (names !== undefined && names.length !== itemCount) {
    throw new ApiError("VALIDATION_ERROR", `names: ${names.length} names for ${itemCount} items; give one per item.`);
  }
  return names;
}

export const createJob = newRouter().openapi(createJobRoute, async (c) => {
  const userId = c.get("userId");
  const input = c.req.valid("json");
  const preset = presetOrInvalid(input.preset);
  const sizes = checkSizes(input.sizes, input.item_count, configOf(c.env).storage.maxUploadBytes);
  const names = checkNames(input.names, input.item_count);
  const jobId = idToCreate(c, "job");
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
        ...(names ? { names } : {}),
      }),
    );
  } catch (error) {
    await limiter.rollback(jobId, input.item_count);
    throw error;
  }
  await logJobCreated(c.env, { job_id: jobId, user_id: userId, preset: preset.id, item_count: input.item_count });
  const config = configOf(c.env);
  const upload = await uploadUrls(c.env, userId, jobId, input.item_count, sizes);
  return c.json(
    success(c, { job_id: jobId, upload, confirm_url: `${config.publicBaseUrl}/jobs/${jobId}/confirm-upload` }),
    200,
  );
});
