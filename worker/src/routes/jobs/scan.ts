// POST /jobs/{id}/scan: segment every photo of an uploaded job without editing (docs/reports.md, Scan
// reports); the job stays uploaded, its `scan` tracks the pass, and execute reuses the masks.
import { createRoute } from "@hono/zod-openapi";
import { knownConceptNames, scanTargets } from "@s3/contract";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { ApiError } from "../../lib/errors";
import { checkHints } from "../../lib/hints";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { presetOrInvalid } from "../../lib/rule-check";
import { idempotencyRequest, replayable } from "../../middleware/idempotency";
import { scanAnswerSchema, scanBodySchema } from "./album/schemas";
import { jobIdParams, jobNotFound, ownJob, retrySafeJobRoute } from "./params";

const scanRoute = createRoute({
  ...retrySafeJobRoute,
  method: "post",
  path: "/jobs/{id}/scan",
  summary: "Find the concepts in every photo of an uploaded job, without editing (no credit)",
  description:
    "Queues a segment-only pass; GET /jobs/{id} then shows scan {status: scanning|scanned, progress} and each " +
    "item's report (instances, area_pct, score, flags). The job stays uploaded; it may be scanned again.",
  request: { params: jobIdParams, body: body(scanBodySchema), headers: idempotencyRequest },
  responses: {
    200: replayable(ok(scanAnswerSchema, "The scan is queued; the job is still uploaded.")),
    ...errors([400, "VALIDATION_ERROR: a concept outside the preset, malformed hints"], authErrors, jobNotFound, [
      409,
      "INVALID_TRANSITION (the job is not uploaded), ALREADY_CANCELED or IDEMPOTENCY_CONFLICT",
    ]),
  },
});

export const scanJob = newRouter().openapi(scanRoute, async (c) => {
  const userId = c.get("userId");
  const jobId = c.req.valid("param").id;
  const input = c.req.valid("json");
  const job = await ownJob(c.env, userId, jobId);
  const preset = presetOrInvalid(job.preset);
  const known = knownConceptNames(preset);
  const unknown = (input.concepts ?? []).findIndex((concept) => !known.has(concept));
  if (unknown >= 0) {
    const field = `concepts.${unknown}`;
    throw new ApiError("VALIDATION_ERROR", `${field}: not a concept of ${preset.id}.`, undefined, {}, { field });
  }
  const targets = scanTargets(preset, input.concepts);
  const hints = checkHints(input.hints, job, [...targets.concepts, ...targets.protect]);
  const scanned = unwrap(await jobCoordinator(c.env, jobId).scan(userId, { ...targets, hints })).job;
  return c.json(success(c, { job_id: scanned.job_id, status: scanned.status, scan: scanned.scan! }), 200);
});
