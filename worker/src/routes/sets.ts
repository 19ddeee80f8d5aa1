// GET /jobs/{id}/set and GET /jobs/{id}/set.zip (docs/sets.md): a finished job's set as a manifest
// of presigned URLs, and as one ZIP streamed from R2, by JWT or by the manifest's signed zip_url.
import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import {
  FINAL_JOB_STATUSES,
  itemProgressOf,
  SET_CONTENT_TYPES,
  SET_ROLES,
  TEMPLATE_SLUGS,
  type JobStatus,
} from "@s3/contract";
import type { ItemSetFile, JobView } from "../durable-objects/api";
import { configOf } from "../config";
import { requireUser } from "../lib/auth";
import { jobCoordinator, unwrap } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import { authErrors, bearerAuth, errors, newRouter, ok, type AppEnv } from "../lib/openapi";
import { setTemplateOf } from "../lib/set-files";
import { signSetLink, verifySetLink } from "../lib/set-link";
import { itemViewSchema } from "../lib/item-view";
import { setEntries } from "../lib/set-manifest";
import { setZip } from "../lib/set-zip";
import { presignDownload } from "../lib/storage";
import { checkJobId, jobIdParams } from "./jobs";

export const setFileViewSchema = z
  .object({
    idx: z.number().int(),
    role: z.enum(SET_ROLES),
    part: z
      .string()
      .nullable()
      .openapi({ description: "pack: main, detail_1…; thumbnail: 1080x1350…; variant: its key part." }),
    variant: z.string().nullable().openapi({ description: "The variant's name for role variant." }),
    width: z.number().int().nullable().openapi({ description: "null for result and preview (not reported)." }),
    height: z.number().int().nullable(),
    bytes: z.number().int().nullable(),
    content_type: z.enum(SET_CONTENT_TYPES),
    name: z.string().openapi({ description: "The file's path in the ZIP: {role}/{file name}." }),
    url: z.string().openapi({ description: "Presigned GET URL." }),
  })
  .openapi("SetFile");

export const setManifestSchema = z
  .object({
    job_id: z.string(),
    template: z.enum(TEMPLATE_SLUGS).nullable(),
    files: z.array(setFileViewSchema),
    items: z.array(itemViewSchema).openapi({ description: "Every item with its report: which photos need a look." }),
    deleted_at: z
      .string()
      .optional()
      .openapi({ description: "Present once the job's objects were deleted: the set is then empty." }),
    zip_url: z.string().openapi({ description: "The whole set as one ZIP: a signed link, no token needed, expiring." }),
  })
  .openapi("SetManifest");

const setZipQuery = z.object({
  expires: z.string().max(20).optional().openapi({ description: "From zip_url." }),
  sig: z.string().max(100).optional().openapi({ description: "From zip_url." }),
});

/** The job's set once it ended (INVALID_TRANSITION before), for its owner or a valid signed link. */
/** The set's entries; none once the job's objects are deleted (DELETE /jobs/{id} or retention). */
function liveEntries(job: JobView, files: ItemSetFile[]) {
  return job.deleted_at === null ? setEntries(job, files) : [];
}

async function finishedSet(
  env: Env,
  jobId: string,
  caller: { userId: string } | { expires?: string; sig?: string },
): Promise<{ job: JobView; files: ItemSetFile[] }> {
  const userId = "userId" in caller ? caller.userId : null;
  const set = unwrap(await jobCoordinator(env, checkJobId(jobId)).set(userId));
  if (!("userId" in caller)) {
    await verifySetLink(configOf(env).jwtSecret, jobId, set.job.user_id, caller.expires, caller.sig);
  }
  if (!(FINAL_JOB_STATUSES as readonly JobStatus[]).includes(set.job.status)) {
    throw new ApiError("INVALID_TRANSITION", "The set is ready once the job has ended.");
  }
  return set;
}

/** A signed link (`sig` in the query) skips the JWT; everything else needs one. */
const linkOrUser = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.query("sig") !== undefined) return next();
  return requireUser(c, next);
});

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

const setZipRoute = createRoute({
  method: "get",
  path: "/jobs/{id}/set.zip",
  tags: ["jobs"],
  summary: "The whole set as one ZIP (stored entries, ZIP64 when needed, a folder per role), streamed",
  description: "Authorised by a Bearer JWT, or by the query of the manifest's zip_url (no token).",
  security: [...bearerAuth, {}],
  middleware: [linkOrUser],
  request: { params: jobIdParams, query: setZipQuery },
  responses: {
    200: {
      description: "The ZIP, streamed (no Content-Length).",
      content: { "application/zip": { schema: z.string().openapi({ format: "binary" }) } },
    },
    ...errors(
      [401, "AUTH_REQUIRED; TOKEN_INVALID (a bad token or a tampered link); TOKEN_EXPIRED (token or link)"],
      [404, "JOB_NOT_FOUND"],
      [409, "INVALID_TRANSITION: the job has not ended"],
    ),
  },
});

export const setsRouter = newRouter()
  .openapi(setRoute, async (c) => {
    const userId = c.get("userId");
    const jobId = c.req.valid("param").id;
    const { job, files } = await finishedSet(c.env, jobId, { userId });
    const config = configOf(c.env);
    const entries = liveEntries(job, files);
    const manifest = {
      job_id: job.job_id,
      template: setTemplateOf(job.preset, job.output_template)?.slug ?? null,
      files: await Promise.all(
        entries.map(async ({ key, ...file }) => ({ ...file, url: await presignDownload(config, key) })),
      ),
      items: job.items.map(itemProgressOf),
      ...(job.deleted_at === null ? {} : { deleted_at: job.deleted_at }),
      zip_url: `${config.publicBaseUrl}/jobs/${job.job_id}/set.zip?${await signSetLink(
        config.jwtSecret,
        job.job_id,
        userId,
        config.storage.downloadUrlTtlSec,
      )}`,
    };
    return c.json(success(c, manifest), 200);
  })
  .openapi(setZipRoute, async (c) => {
    const jobId = c.req.valid("param").id;
    const caller = c.get("userId") ? { userId: c.get("userId") } : c.req.valid("query");
    const { job, files } = await finishedSet(c.env, jobId, caller);
    const stream = setZip(c.env.BUCKET, liveEntries(job, files));
    return c.body(stream, 200, {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${job.job_id}.zip"`,
      "Cache-Control": "private, no-store",
    });
  });
