// A finished job's output set (docs/sets.md), as GET /jobs/{id}/set and its ZIP read it: for the
// job's owner, or for whoever holds a valid signed link.
import { isFinalJobStatus } from "@s3/contract";
import type { ItemSetFile, JobView } from "../rpc";
import { configOf } from "../config";
import { jobCoordinator, unwrap } from "./durable";
import { ApiError } from "./errors";
import { checkJobId } from "./ids";
import { verifySetLink } from "./set-link";
import { setEntries } from "./set-manifest";

/** The job's set once it ended (INVALID_TRANSITION before), for its owner or a valid signed link. */
export async function finishedSet(
  env: Env,
  jobId: string,
  caller: { userId: string } | { expires?: string; sig?: string },
): Promise<{ job: JobView; files: ItemSetFile[] }> {
  const userId = "userId" in caller ? caller.userId : null;
  const set = unwrap(await jobCoordinator(env, checkJobId(jobId)).outputSet(userId));
  if (!("userId" in caller)) {
    await verifySetLink(configOf(env).jwtSecret, jobId, set.job.user_id, caller.expires, caller.sig);
  }
  if (!isFinalJobStatus(set.job.status)) {
    throw new ApiError("INVALID_TRANSITION", "The set is ready once the job has ended.");
  }
  return set;
}

/** The set's entries; none once the job's objects are deleted (DELETE /jobs/{id} or retention). */
export function liveEntries(job: JobView, files: ItemSetFile[]) {
  return job.deleted_at === null ? setEntries(job, files) : [];
}
