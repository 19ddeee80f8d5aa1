// POST /jobs: reserve credits and a concurrency slot, create the job, answer presigned upload URLs.
import { createRoute, z } from "@hono/zod-openapi";
import { PLANS, type CopiedJob, type CreatedJob } from "@s3/contract";
import { configOf } from "../../config";
import { jobCoordinator, unwrap, userLimiter } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { ApiError } from "../../lib/errors";
import { logJobCreated } from "../../lib/job-history";
import { createCopiedJob, sourceJob } from "../../lib/job-copy";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { presetOrInvalid } from "../../lib/rule-check";
import { requireUser } from "../../middleware/require-user";
import { idempotency, idempotencyRequest, idToCreate, replayable } from "../../middleware/idempotency";
import { authedJobRoute, uploadUrls } from "./params";
import { copiedJobSchema } from "./album/schemas";
import { createdJobSchema, createJobBodySchema } from "./schemas";

const createJobRoute = createRoute({
  ...authedJobRoute,
  middleware: [
    requireUser,
    idempotency({
      creates: "job",
      // A replay presigns the upload URLs afresh: the kept ones may have expired.
      replay: async (c, data) => {
        // A re-run has no uploads to presign: its answer replays as it was.
        if ((data as CopiedJob).from_job !== undefined) return data;
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
  summary: "Create a job: reserve credits and a concurrency slot, get presigned upload URLs (or re-run a job)",
  description:
    "With item_count: a new job and one presigned PUT URL per photo. With from_job (and optionally items): a " +
    "re-run over a finished job's photos, copied in storage; the job answers already uploaded, pinned.",
  request: { body: body(createJobBodySchema), headers: idempotencyRequest },
  responses: {
    200: replayable(
      ok(
        z.union([createdJobSchema, copiedJobSchema]),
        "The job, one presigned PUT URL per item, and where to confirm the upload; for a re-run, the uploaded job.",
      ),
    ),
    ...errors(
      [400, "VALIDATION_ERROR (also items outside the source job)"],
      authErrors,
      [402, "CREDITS_EXHAUSTED"],
      [404, "JOB_NOT_FOUND: from_job is missing or another user's"],
      [409, "IDEMPOTENCY_CONFLICT, or INVALID_TRANSITION: from_job has not finished or a photo of it was replaced"],
      [410, "JOB_DELETED: from_job's photos were deleted"],
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

/** The source's items a re-run copies: all by default, else each once and in range (VALIDATION_ERROR). */
function rerunItems(items: number[] | undefined, total: number): number[] {
  if (items === undefined) return Array.from({ length: total }, (_, idx) => idx);
  const bad = items.findIndex((idx, pos) => idx >= total || items.indexOf(idx) !== pos);
  if (bad >= 0) {
    throw new ApiError(
      "VALIDATION_ERROR",
      `items.${bad}: ${items[bad]} is not a distinct item of 0..${total - 1}.`,
      undefined,
      {},
      {
        field: `items.${bad}`,
      },
    );
  }
  return items;
}

type CreateBody = z.infer<typeof createJobBodySchema>;

/** POST /jobs with from_job: a new, uploaded job over the photos of a finished job (docs/albums.md, Re-run). */
async function rerun(env: Env, userId: string, jobId: string, input: CreateBody & { from_job: string }) {
  if (input.item_count !== undefined || input.sizes !== undefined) {
    throw new ApiError(
      "VALIDATION_ERROR",
      "from_job: a re-run copies its photos; give no item_count or sizes.",
      undefined,
      {},
      {
        field: "from_job",
      },
    );
  }
  const preset = presetOrInvalid(input.preset);
  const source = await sourceJob(env, userId, input.from_job);
  if (source.preset !== preset.id) {
    throw new ApiError(
      "VALIDATION_ERROR",
      `preset: ${input.from_job} is of preset "${source.preset}".`,
      undefined,
      {},
      {
        field: "preset",
      },
    );
  }
  const fromItems = rerunItems(input.items, source.items.length);
  const job = await createCopiedJob(env, userId, jobId, source, fromItems);
  return { job_id: job.job_id, status: job.status, from_job: source.job_id, from_items: fromItems };
}

export const createJob = newRouter().openapi(createJobRoute, async (c) => {
  const userId = c.get("userId");
  const input = c.req.valid("json");
  const jobId = idToCreate(c, "job");
  if (input.from_job !== undefined) {
    return c.json(success(c, await rerun(c.env, userId, jobId, { ...input, from_job: input.from_job })), 200);
  }
  if (input.item_count === undefined) {
    throw new ApiError(
      "VALIDATION_ERROR",
      "item_count: required (or from_job for a re-run).",
      undefined,
      {},
      {
        field: "item_count",
      },
    );
  }
  if (input.items !== undefined) {
    throw new ApiError("VALIDATION_ERROR", "items: only with from_job.", undefined, {}, { field: "items" });
  }
  const itemCount = input.item_count;
  const preset = presetOrInvalid(input.preset);
  const sizes = checkSizes(input.sizes, itemCount, configOf(c.env).storage.maxUploadBytes);
  const names = checkNames(input.names, itemCount);
  const limiter = userLimiter(c.env, userId);
  const { state } = unwrap(await limiter.reserve(jobId, itemCount));
  try {
    unwrap(
      await jobCoordinator(c.env, jobId).create({
        job_id: jobId,
        user_id: userId,
        preset: preset.id,
        item_count: itemCount,
        watermark: PLANS[state.plan].watermark,
        ...(names ? { names } : {}),
      }),
    );
  } catch (error) {
    await limiter.rollback(jobId, itemCount);
    throw error;
  }
  await logJobCreated(c.env, { job_id: jobId, user_id: userId, preset: preset.id, item_count: itemCount });
  const config = configOf(c.env);
  const upload = await uploadUrls(c.env, userId, jobId, itemCount, sizes);
  return c.json(
    success(c, { job_id: jobId, upload, confirm_url: `${config.publicBaseUrl}/jobs/${jobId}/confirm-upload` }),
    200,
  );
});
