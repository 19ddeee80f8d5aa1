// GET /jobs/{id}: the job's status, progress, items and finished outputs (presigned GET URLs), with an ETag.
import { createRoute, z } from "@hono/zod-openapi";
import { itemProgressOf, storageKeys } from "@s3/contract";
import { configOf, type Config } from "../../config";
import type { JobItemView, JobView } from "../../rpc";
import { jobCoordinator, unwrap } from "../../lib/durable";
import { success } from "../../lib/envelope";
import { etagMatches, jobEtag } from "../../lib/job-etag";
import { authErrors, errors, newRouter, ok } from "../../lib/openapi";
import { presignDownload } from "../../lib/storage";
import { checkJobId } from "../../lib/ids";
import { authedJobRoute, jobIdParams, jobNotFound, ownJob, uploadUrls } from "./params";
import { jobSchema } from "./schemas";

const getJobRoute = createRoute({
  ...authedJobRoute,
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
    ...errors(authErrors, jobNotFound),
  },
});

/**
 * The done item's concept masks (docs/storage.md, Masks): one per rule and protect concept of the job that its
 * report found (every one when it has no report). Only the job's own concepts are presigned, never a name
 * taken from the report alone.
 */
async function maskUrls(config: Config, job: JobView, item: JobItemView) {
  const found = (figures: { instances: number } | undefined) => !item.report || (figures?.instances ?? 0) > 0;
  const wanted = [
    ...Object.keys(job.concepts)
      .filter((concept) => found(item.report?.concepts[concept]))
      .map((concept) => ({ concept, protect: false })),
    ...job.protect
      .filter((concept) => found(item.report?.protect[concept]))
      .map((concept) => ({ concept, protect: true })),
  ];
  return Promise.all(
    wanted.map(async (mask) => ({
      ...mask,
      url: await presignDownload(config, storageKeys.mask(job.user_id, job.job_id, item.idx, mask.concept)),
    })),
  );
}

export const getJob = newRouter().openapi(getJobRoute, async (c) => {
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
        masks: await maskUrls(config, job, item),
      })),
  );
  return c.json(
    success(c, {
      job_id: job.job_id,
      status: job.status,
      preset: job.preset,
      progress: job.progress,
      ...(job.status === "created" ? { upload: await uploadUrls(c.env, userId, jobId, job.items.length) } : {}),
      ...(job.deleted_at === null ? {} : { deleted_at: job.deleted_at }),
      ...(job.scan === null ? {} : { scan: job.scan }),
      outputs_ready,
      items: job.items.map(itemProgressOf),
    }),
    200,
  );
});
