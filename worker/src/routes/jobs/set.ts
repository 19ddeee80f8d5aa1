// GET /jobs/{id}/set (docs/sets.md): a finished job's set, every file with a presigned URL, and a signed zip_url.
import { createRoute } from "@hono/zod-openapi";
import { itemProgressOf } from "@s3/contract";
import { configOf } from "../../config";
import { success } from "../../lib/envelope";
import { authErrors, bearerAuth, errors, newRouter, ok } from "../../lib/openapi";
import { finishedSet, liveEntries } from "../../lib/output-set";
import { setTemplateOf } from "../../lib/set-files";
import { signSetLink } from "../../lib/set-link";
import { presignDownload } from "../../lib/storage";
import { requireUser } from "../../middleware/require-user";
import { jobIdParams } from "./params";
import { setManifestSchema } from "./schemas";

const setRoute = createRoute({
  method: "get",
  path: "/jobs/{id}/set",
  tags: ["jobs"],
  summary: "A finished job's set: every file with a presigned URL, and a signed zip_url",
  security: bearerAuth,
  middleware: [requireUser],
  request: { params: jobIdParams },
  responses: {
    200: ok(setManifestSchema, "The set: results, previews and the template's files of every done item."),
    ...errors(authErrors, [404, "JOB_NOT_FOUND"], [409, "INVALID_TRANSITION: the job has not ended"]),
  },
});

export const getSet = newRouter().openapi(setRoute, async (c) => {
  const userId = c.get("userId");
  const jobId = c.req.valid("param").id;
  const set = await finishedSet(c.env, jobId, { userId });
  const { job } = set;
  const config = configOf(c.env);
  const entries = liveEntries(set);
  const manifest = {
    job_id: job.job_id,
    template: setTemplateOf(job.preset, job.output_template)?.slug ?? null,
    template_id: setTemplateOf(job.preset, job.output_template)?.id ?? null,
    files: await Promise.all(
      entries.map(async ({ key, ...file }) => ({ ...file, url: await presignDownload(config, key) })),
    ),
    items: job.items.map(itemProgressOf),
    ...(job.deleted_at === null ? {} : { deleted_at: job.deleted_at }),
    zip_url: `${config.publicBaseUrl}/jobs/${job.job_id}/set.zip?${await signSetLink(
      config.jwtSecret,
      job.job_id,
      config.storage.downloadUrlTtlSec,
    )}`,
  };
  return c.json(success(c, manifest), 200);
});
