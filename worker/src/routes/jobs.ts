// Jobs (docs/architecture.md, Endpoints): create with presigned uploads, confirm, execute, read, cancel.
// The JobCoordinator owns the state machine; these handlers validate, call it, respond.
import { createRoute, z } from "@hono/zod-openapi";
import {
  conceptsSchema,
  itemProgressOf,
  JOB_STATUSES,
  MAX_ITEMS_PER_JOB,
  NAME_MAX,
  PLANS,
  protectSchema,
  storageKeys,
  variantsSchema,
  type RuleAction,
} from "@s3/contract";
import type { InputPin, JobView } from "../durable-objects/api";
import { authErrors, bearerAuth, body, errors, newRouter, ok } from "../lib/openapi";
import { requireUser } from "../lib/auth";
import { configOf } from "../config";
import { dispatcherFor } from "../dispatch";
import { jobCoordinator, unwrap, userLimiter } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import { ID_PATTERN, newId } from "../lib/ids";
import { checkRule, presetOrInvalid } from "../lib/rule-check";
import { presignDownload, presignUpload } from "../lib/storage";
import { checkVariants, mainResultConcepts, templateOrInvalid } from "../lib/variants";
import { etagMatches, jobEtag } from "../lib/job-etag";
import { logJobCreated } from "../lib/job-history";
import { itemViewSchema } from "../lib/item-view";
import { findOwnRule } from "./rules";

export const createJobBodySchema = z
  .object({
    preset: z.string().max(64).openapi({ example: "interior" }),
    item_count: z
      .number()
      .int()
      .min(1)
      .max(MAX_ITEMS_PER_JOB)
      .openapi({ description: "Photos in the job: 1..plan maximum (free 10, pro 200).", example: 3 }),
  })
  .openapi("CreateJob");

export const createdJobSchema = z
  .object({
    job_id: z.string(),
    upload: z.array(
      z.object({
        idx: z.number().int(),
        url: z
          .string()
          .openapi({ description: "Presigned S3 PUT URL for this item's input; valid for this key and PUT only." }),
        key: z.string(),
      }),
    ),
    confirm_url: z.string(),
  })
  .openapi("CreatedJob");

export const executeBodySchema = z
  .object({
    concepts: conceptsSchema.default({}).openapi({ example: { Floor: { action: "recolor", value: "oak_a" } } }),
    protect: protectSchema.default([]).openapi({ example: ["Grout"] }),
    rule_id: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "A saved rule of the job's preset; replaces the inline concepts and protect." }),
    output_template: z
      .string()
      .max(NAME_MAX)
      .optional()
      .openapi({ description: "One of the preset's output templates, by id or slug.", example: "전후비교" }),
    variants: variantsSchema.optional().openapi({
      description:
        "Named concept maps, one result each (docs/sets.md): three_options 2–3 (default: the preset's styles), " +
        "option_board 2–8 (required); refused for every other template.",
    }),
  })
  .openapi("ExecuteJob");

export const jobStatusSchema = z.object({ job_id: z.string(), status: z.enum(JOB_STATUSES) }).openapi("JobStatus");

export const jobSchema = z
  .object({
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    preset: z.string(),
    progress: z.object({
      done: z.number().int(),
      failed: z.number().int(),
      total: z.number().int(),
      needs_review: z.number().int().openapi({ description: "Done items that need review (docs/reports.md)." }),
    }),
    deleted_at: z.string().optional().openapi({
      description: "Set once the job's objects were deleted (DELETE /jobs/{id} or RETENTION_DAYS); then no URLs.",
    }),
    outputs_ready: z.array(
      z.object({
        idx: z.number().int(),
        result_url: z.string().openapi({ description: "Presigned GET URL of the result PNG." }),
        preview_url: z.string().openapi({ description: "Presigned GET URL of the JPEG preview." }),
      }),
    ),
    items: z.array(itemViewSchema).openapi({ description: "Every item, by idx, with its report." }),
  })
  .openapi("Job");

export const canceledJobSchema = jobStatusSchema.extend({ refunded: z.number().int() }).openapi("CanceledJob");

export const jobIdParams = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "job_k3q9v2m7x4c8b6n1p5r0t2w4y6" }),
});

/** JOB_NOT_FOUND for an id this API could never have issued, without waking a Durable Object. */
export function checkJobId(jobId: string): string {
  if (!ID_PATTERN.job.test(jobId)) throw new ApiError("JOB_NOT_FOUND");
  return jobId;
}

async function ownJob(env: Env, userId: string, jobId: string): Promise<JobView> {
  return unwrap(await jobCoordinator(env, checkJobId(jobId)).get(userId)).job;
}

const authed = { security: bearerAuth, middleware: [requireUser], tags: ["jobs"] };
const notFound: [number, string] = [404, "JOB_NOT_FOUND"];

const createJobRoute = createRoute({
  ...authed,
  method: "post",
  path: "/jobs",
  summary: "Create a job: reserve credits and a concurrency slot, get presigned upload URLs",
  request: { body: body(createJobBodySchema) },
  responses: {
    200: ok(createdJobSchema, "The job, one presigned PUT URL per item, and where to confirm the upload."),
    ...errors([400, "VALIDATION_ERROR"], authErrors, [402, "CREDITS_EXHAUSTED"], [429, "CONCURRENCY_LIMIT"]),
  },
});

const confirmRoute = createRoute({
  ...authed,
  method: "post",
  path: "/jobs/{id}/confirm-upload",
  summary: "Check every input is in storage: created → uploaded",
  request: { params: jobIdParams },
  responses: {
    200: ok(jobStatusSchema, "The job is uploaded."),
    ...errors(
      [400, "VALIDATION_ERROR: an input is missing or too large (the job stays created)"],
      authErrors,
      notFound,
      [409, "INVALID_TRANSITION or ALREADY_CANCELED"],
    ),
  },
});

const executeRoute = createRoute({
  ...authed,
  method: "post",
  path: "/jobs/{id}/execute",
  summary: "Apply a rule (inline or saved) to the uploaded job: uploaded → queued",
  request: { params: jobIdParams, body: body(executeBodySchema) },
  responses: {
    200: ok(jobStatusSchema, "The job is queued for the GPU worker."),
    ...errors(
      [400, "VALIDATION_ERROR"],
      authErrors,
      [404, "JOB_NOT_FOUND or RULE_NOT_FOUND"],
      [409, "INVALID_TRANSITION or ALREADY_CANCELED"],
    ),
  },
});

const getJobRoute = createRoute({
  ...authed,
  method: "get",
  path: "/jobs/{id}",
  summary: "A job's status, progress, items and finished outputs (presigned GET URLs)",
  description: "Sends a weak ETag; a matching If-None-Match answers 304 with no body and presigns nothing.",
  request: {
    params: jobIdParams,
    headers: z.object({ "if-none-match": z.string().max(1024).optional() }),
  },
  responses: {
    200: { ...ok(jobSchema, "The job."), headers: { ETag: { schema: { type: "string" } } } },
    304: {
      description: "Not modified since the ETag in If-None-Match.",
      headers: { ETag: { schema: { type: "string" } } },
    },
    ...errors(authErrors, notFound),
  },
});

const cancelRoute = createRoute({
  ...authed,
  method: "post",
  path: "/jobs/{id}/cancel",
  summary: "Cancel a job and refund every item not yet done",
  request: { params: jobIdParams },
  responses: {
    200: ok(canceledJobSchema, "The job is canceled."),
    ...errors(authErrors, notFound, [409, "INVALID_TRANSITION or ALREADY_CANCELED"]),
  },
});

export const jobsRouter = newRouter()
  .openapi(createJobRoute, async (c) => {
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
  })
  .openapi(confirmRoute, async (c) => {
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
  })
  .openapi(executeRoute, async (c) => {
    const userId = c.get("userId");
    const jobId = c.req.valid("param").id;
    const input = c.req.valid("json");
    const job = await ownJob(c.env, userId, jobId);
    const preset = presetOrInvalid(job.preset);
    let concepts: Record<string, RuleAction> = input.concepts;
    let protect: string[] = input.protect;
    if (input.rule_id !== undefined) {
      const rule = await findOwnRule(c.env, userId, input.rule_id);
      if (rule.preset_id !== job.preset) {
        throw new ApiError(
          "VALIDATION_ERROR",
          `rule_id: the rule is for preset "${rule.preset_id}", the job is "${job.preset}".`,
        );
      }
      ({ concepts, protect } = rule);
    }
    const template = input.output_template === undefined ? null : templateOrInvalid(preset, input.output_template);
    concepts = mainResultConcepts(preset, template, input.variants) ?? concepts;
    protect = checkRule(preset, concepts, protect);
    const variants = checkVariants(preset, template, input.variants, protect);
    const executed = unwrap(
      await jobCoordinator(c.env, jobId).execute(userId, {
        concepts,
        protect,
        rule_id: input.rule_id ?? null,
        output_template: template?.id ?? null,
        variants,
      }),
    ).job;
    return c.json(success(c, { job_id: executed.job_id, status: executed.status }), 200);
  })
  .openapi(getJobRoute, async (c) => {
    const userId = c.get("userId");
    const jobId = checkJobId(c.req.valid("param").id);
    const config = configOf(c.env);
    const ifNoneMatch = c.req.header("If-None-Match");
    if (ifNoneMatch) {
      // The cheap read first: a 304 neither copies the items nor presigns.
      const { job } = unwrap(await jobCoordinator(c.env, jobId).version(userId));
      const etag = jobEtag(job, config.storage.downloadUrlTtlSec);
      if (etagMatches(ifNoneMatch, etag)) {
        c.header("ETag", etag);
        return c.body(null, 304);
      }
    }
    const job = await ownJob(c.env, userId, jobId);
    c.header("ETag", jobEtag(job, config.storage.downloadUrlTtlSec));
    const outputs_ready = await Promise.all(
      job.items
        .filter((item) => item.status === "done" && job.deleted_at === null)
        .map(async (item) => ({
          idx: item.idx,
          result_url: await presignDownload(config, item.output_key),
          preview_url: await presignDownload(config, item.preview_key),
        })),
    );
    return c.json(
      success(c, {
        job_id: job.job_id,
        status: job.status,
        preset: job.preset,
        progress: job.progress,
        ...(job.deleted_at === null ? {} : { deleted_at: job.deleted_at }),
        outputs_ready,
        items: job.items.map(itemProgressOf),
      }),
      200,
    );
  })
  .openapi(cancelRoute, async (c) => {
    const { job, refunded } = unwrap(
      await jobCoordinator(c.env, checkJobId(c.req.valid("param").id)).cancel(c.get("userId")),
    );
    // Stops the GPU spend; best effort, never throws: the cancel and refund above already stand.
    if (job.dispatch_refs.length > 0) await dispatcherFor(c.env).cancel(job.dispatch_refs);
    return c.json(success(c, { job_id: job.job_id, status: job.status, refunded }), 200);
  });
