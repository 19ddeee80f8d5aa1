// POST /jobs/{id}/execute: apply a rule, inline or saved, to the uploaded job: uploaded → queued.
import { createRoute } from "@hono/zod-openapi";
import { DEFAULT_LOCALE, localeFromAcceptLanguage, type RuleAction } from "@s3/contract";
import { findOwnRule } from "../../lib/rules";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { ApiError } from "../../lib/errors";
import { authErrors, body, errors, newRouter, ok } from "../../lib/openapi";
import { idempotencyRequest, replayable } from "../../middleware/idempotency";
import { configOf } from "../../config";
import { webhookOrInvalid } from "../../webhooks/target";
import { checkRule, presetOrInvalid } from "../../lib/rule-check";
import { checkVariants, mainResultConcepts, templateOrInvalid } from "../../lib/variants";
import { checkHints } from "../../lib/hints";
import { jobIdParams, ownJob, retrySafeJobRoute } from "./params";
import { executeBodySchema, jobStatusSchema } from "./schemas";

const executeRoute = createRoute({
  ...retrySafeJobRoute,
  method: "post",
  path: "/jobs/{id}/execute",
  summary: "Apply a rule (inline or saved) to the uploaded job: uploaded → queued",
  request: { params: jobIdParams, body: body(executeBodySchema), headers: idempotencyRequest },
  responses: {
    200: replayable(
      ok(jobStatusSchema, "The job is queued for the GPU worker, or its current state if it ran with this rule."),
    ),
    ...errors(
      [400, "VALIDATION_ERROR"],
      authErrors,
      [404, "JOB_NOT_FOUND or RULE_NOT_FOUND"],
      [409, "INVALID_TRANSITION (already executed with another rule), ALREADY_CANCELED or IDEMPOTENCY_CONFLICT"],
    ),
  },
});

export const executeJob = newRouter().openapi(executeRoute, async (c) => {
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
  const edited = [concepts, ...(variants ?? []).map((variant) => variant.concepts)].flatMap((map) => Object.keys(map));
  const hints = checkHints(input.hints, job, [...new Set([...edited, ...protect])]);
  const executed = unwrap(
    await jobCoordinator(c.env, jobId).execute(userId, {
      concepts,
      protect,
      rule_id: input.rule_id ?? null,
      output_template: template?.id ?? null,
      variants,
      locale: input.locale ?? localeFromAcceptLanguage(c.req.header("accept-language")) ?? DEFAULT_LOCALE,
      webhook: input.webhook ? webhookOrInvalid(configOf(c.env), input.webhook) : null,
      output_format: input.output_format ?? "png",
      hints,
    }),
  ).job;
  return c.json(success(c, { job_id: executed.job_id, status: executed.status }), 200);
});
