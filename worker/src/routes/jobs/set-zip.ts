// GET /jobs/{id}/set.zip (docs/sets.md): the whole set as one streamed ZIP, for a JWT or a signed link.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerAuth, errors, newRouter } from "../../lib/openapi";
import { finishedSet, liveEntries, zipTitle } from "../../lib/output-set";
import { setZip } from "../../lib/set-zip";
import { zipDisposition } from "../../lib/set-names";
import { linkOrUser } from "../../middleware/link-or-user";
import { jobIdParams } from "./params";
import { setZipQuery } from "./schemas";

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

export const getSetZip = newRouter().openapi(setZipRoute, async (c) => {
  const jobId = c.req.valid("param").id;
  const caller = c.get("userId") ? { userId: c.get("userId") } : c.req.valid("query");
  const set = await finishedSet(c.env, jobId, caller);
  const { job } = set;
  const stream = setZip(c.env.BUCKET, liveEntries(set));
  return c.body(stream, 200, {
    "Content-Type": "application/zip",
    "Content-Disposition": zipDisposition(await zipTitle(c.env, job), job.finished_at ?? job.updated_at),
    "Cache-Control": "private, no-store",
  });
});
