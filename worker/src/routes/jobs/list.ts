// GET /jobs (docs/events.md): the caller's jobs, newest first, active ones included, paged by cursor.
import { createRoute, z } from "@hono/zod-openapi";
import { JOB_STATUSES, TEMPLATE_SLUGS } from "@s3/contract";
import { authErrors, bearerAuth, errors, newRouter, ok } from "../../lib/openapi";
import { requireUser } from "../../middleware/require-user";
import { success } from "../../lib/envelope";
import { listJobs } from "../../lib/job-history";

export const JOBS_PAGE_MAX = 100;

export const jobListQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(JOBS_PAGE_MAX)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, example: 20 }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "The previous page's next_cursor." }),
});

export const jobPageSchema = z
  .object({
    jobs: z.array(
      z.object({
        job_id: z.string(),
        status: z.enum(JOB_STATUSES),
        preset: z.string(),
        output_template: z.string().nullable().openapi({ description: "The output template's id." }),
        output_template_slug: z
          .enum(TEMPLATE_SLUGS)
          .nullable()
          .openapi({ description: "The same template's slug, as the set's manifest names it." }),
        created_at: z.string(),
        progress: z.object({
          done: z.number().int(),
          failed: z.number().int(),
          total: z.number().int(),
          needs_review: z.number().int(),
        }),
      }),
    ),
    next_cursor: z.string().nullable().openapi({ description: "null on the last page." }),
  })
  .openapi("JobPage");

const listJobsRoute = createRoute({
  security: bearerAuth,
  middleware: [requireUser],
  tags: ["jobs"],
  method: "get",
  path: "/jobs",
  summary: "My jobs, newest first, active ones included (paged by cursor)",
  request: { query: jobListQuery },
  responses: {
    200: ok(jobPageSchema, "One page of the caller's jobs."),
    ...errors([400, "VALIDATION_ERROR"], authErrors),
  },
});

export const jobList = newRouter().openapi(listJobsRoute, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  return c.json(success(c, await listJobs(c.env, c.get("userId"), limit, cursor)), 200);
});
