// A finished job's output set (docs/sets.md), as GET /jobs/{id}/set and its ZIP read it: for the
// job's owner, or for whoever holds a valid signed link.
import { isFinalJobStatus } from "@s3/contract";
import type { JobView, OutputSetView } from "../rpc";
import { configOf } from "../config";
import { jobCoordinator, unwrap } from "./durable";
import { ApiError } from "./errors";
import { checkJobId } from "./ids";
import { verifySetLink } from "./set-link";
import { setEntries } from "./set-manifest";
import { setTemplateOf } from "./set-files";
import { selectRule } from "../db/rules";

/** The job's set once it ended (INVALID_TRANSITION before), for its owner or a valid signed link. */
export async function finishedSet(
  env: Env,
  jobId: string,
  caller: { userId: string } | { expires?: string; sig?: string },
): Promise<OutputSetView> {
  checkJobId(jobId);
  // The link first: a bad one reads no job, so it cannot tell a missing job from another's.
  if (!("userId" in caller)) await verifySetLink(configOf(env).jwtSecret, jobId, caller.expires, caller.sig);
  const userId = "userId" in caller ? caller.userId : null;
  const set = unwrap(await jobCoordinator(env, jobId).outputSet(userId));
  if (!isFinalJobStatus(set.job.status)) {
    throw new ApiError("INVALID_TRANSITION", "The set is ready once the job has ended.");
  }
  return set;
}

/** The set's entries; none once the job's objects are deleted (DELETE /jobs/{id} or retention). */
export function liveEntries({ job, files, names }: OutputSetView) {
  return job.deleted_at === null ? setEntries(job, files, names) : [];
}

/** What the set's ZIP is named after: the saved rule the job ran, else its template's id (전후비교), else null. */
export async function zipTitle(env: Env, job: JobView): Promise<string | null> {
  const rule = job.rule_id === null ? null : await selectRule(env.DB, job.user_id, job.rule_id);
  return rule?.name ?? setTemplateOf(job.preset, job.output_template)?.id ?? null;
}
