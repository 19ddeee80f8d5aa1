// POST /jobs/{id}/retry: a new job over a finished job's failed and needs-review photos, with its rule,
// template, variants and format (docs/albums.md, Retry); credits for those photos only.
import { createRoute } from "@hono/zod-openapi";
import { needsReview, type ItemHints } from "@s3/contract";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { ApiError } from "../../lib/errors";
import { checkHints } from "../../lib/hints";
import { createCopiedJob, sourceJob } from "../../lib/job-copy";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { idempotency, idempotencyRequest, idToCreate, replayable } from "../../middleware/idempotency";
import { requireUser } from "../../middleware/require-user";
import { copiedJobSchema, retryBodySchema } from "./album/schemas";
import { authedJobRoute, jobIdParams } from "./params";

const retryRoute = createRoute({
  ...authedJobRoute,
  middleware: [requireUser, idempotency({ creates: "job" })],
  method: "post",
  path: "/jobs/{id}/retry",
  summary: "Run a finished job's failed and needs-review photos again, as a new job",
  description:
    "The new job copies those photos (no upload) and runs at once with the job's rule, template, variants and " +
    "output format; `hints` (by the source job's item index) replace the source's for those photos.",
  request: { params: jobIdParams, body: body(retryBodySchema), headers: idempotencyRequest },
  responses: {
    200: replayable(ok(copiedJobSchema, "The new job, queued; its item i is the source's item from_items[i].")),
    ...errors(
      [400, "VALIDATION_ERROR: malformed hints, or hints for a photo not retried"],
      authErrors,
      [402, "CREDITS_EXHAUSTED"],
      [404, "JOB_NOT_FOUND"],
      [409, "NOTHING_TO_RETRY, INVALID_TRANSITION (not finished, or a photo was replaced) or IDEMPOTENCY_CONFLICT"],
      [410, "JOB_DELETED: the job's photos were deleted"],
      [429, "CONCURRENCY_LIMIT (details.active_job_ids)"],
    ),
  },
});

export const retryJob = newRouter().openapi(retryRoute, async (c) => {
  const userId = c.get("userId");
  const input = c.req.valid("json");
  const source = await sourceJob(c.env, userId, c.req.valid("param").id);
  const fromItems = source.items
    .filter((item) => item.status === "failed" || (item.status === "done" && needsReview(item.report)))
    .map((item) => item.idx);
  if (fromItems.length === 0) throw new ApiError("NOTHING_TO_RETRY");
  const concepts = [...Object.keys(source.concepts), ...source.protect];
  const given = checkHints(input.hints, source, concepts);
  const outside = Object.keys(given).find((idx) => !fromItems.includes(Number(idx)));
  if (outside !== undefined) {
    const field = `hints.${outside}`;
    throw new ApiError("VALIDATION_ERROR", `${field}: item ${outside} is not retried.`, undefined, {}, { field });
  }
  // The new job's photo i is the source's fromItems[i]: its hints are the given ones, else the source's.
  const hints: Record<string, ItemHints> = {};
  fromItems.forEach((from, idx) => {
    const itemHints = given[String(from)] ?? source.items[from]!.hints;
    if (itemHints) hints[String(idx)] = itemHints;
  });
  const jobId = idToCreate(c, "job");
  await createCopiedJob(c.env, userId, jobId, source, fromItems);
  const executed = unwrap(
    await jobCoordinator(c.env, jobId).execute(userId, {
      concepts: source.concepts,
      protect: source.protect,
      rule_id: source.rule_id,
      output_template: source.output_template,
      variants: source.variants.length > 0 ? source.variants : null,
      output_format: source.output_format,
      // The captions of a retried photo's set read as the rest of the source's set.
      locale: source.locale,
      hints,
    }),
  ).job;
  return c.json(
    success(c, { job_id: executed.job_id, status: executed.status, from_job: source.job_id, from_items: fromItems }),
    200,
  );
});
