// A new job over a finished job's photos (docs/albums.md, Re-run and Retry): no upload, the inputs copied
// in R2, credits and a slot reserved as for any job, and the job already uploaded, pinned like a
// confirmed one. Re-run (POST /jobs with from_job) and retry (POST /jobs/{id}/retry) share it.
import { isFinalJobStatus, PLANS, storageKeys } from "@s3/contract";
import type { InputPin, JobView } from "../rpc";
import { jobCoordinator, unwrap, userLimiter } from "./durable";
import { ApiError } from "./errors";
import { checkJobId } from "./ids";
import { logJobCreated } from "./job-history";

/** Copies in flight at once: enough to overlap R2's latency, few enough to stay within a Worker's connections. */
const COPY_CONCURRENCY = 6;

/** The caller's job to copy from: finished and its photos still kept (JOB_DELETED once purged). */
export async function sourceJob(env: Env, userId: string, jobId: string): Promise<JobView> {
  const job = unwrap(await jobCoordinator(env, checkJobId(jobId)).get(userId)).job;
  if (job.deleted_at !== null) throw new ApiError("JOB_DELETED", `The photos of ${jobId} were deleted.`);
  if (!isFinalJobStatus(job.status)) {
    throw new ApiError("INVALID_TRANSITION", `${jobId} is ${job.status}; only a finished job can be copied.`);
  }
  return job;
}

/**
 * One input, copied: the R2 binding has no copy call, so the object streams from a read to a write
 * inside the Worker (never buffered). The read is pinned to the source's ETag where it has one, so a
 * replaced input is never copied; the copy's size and ETag are its pin.
 */
async function copyInput(bucket: R2Bucket, from: JobView["items"][number], to: string): Promise<R2Object> {
  const source = await bucket.get(
    from.input_key,
    from.pin ? { onlyIf: { etagMatches: from.pin.etag.replace(/^"|"$/g, "") } } : {},
  );
  if (source === null || !("body" in source)) {
    throw new ApiError("INVALID_TRANSITION", `Item ${from.idx}'s photo is missing or was replaced; upload it again.`);
  }
  return bucket.put(to, source.body, { httpMetadata: source.httpMetadata });
}

/** The new job's inputs 0..n-1 from the source's `fromItems`, with their pins; none left behind on failure. */
async function copyInputs(
  bucket: R2Bucket,
  source: JobView,
  fromItems: readonly number[],
  userId: string,
  jobId: string,
) {
  const keys = fromItems.map((_, idx) => storageKeys.input(userId, jobId, idx));
  const pins: InputPin[] = [];
  try {
    for (let start = 0; start < fromItems.length; start += COPY_CONCURRENCY) {
      const batch = fromItems.slice(start, start + COPY_CONCURRENCY);
      const copies = await Promise.all(
        batch.map((from, i) => copyInput(bucket, source.items[from]!, keys[start + i]!)),
      );
      copies.forEach((copy, i) => {
        const input = source.items[batch[i]!]!.input;
        pins.push({ idx: start + i, size: copy.size, etag: copy.httpEtag, ...(input && { input }) });
      });
    }
  } catch (error) {
    await bucket.delete(keys);
    throw error;
  }
  return pins;
}

/** The new job `jobId`, uploaded, over the source's items `fromItems` (in that order). */
export async function createCopiedJob(
  env: Env,
  userId: string,
  jobId: string,
  source: JobView,
  fromItems: readonly number[],
): Promise<JobView> {
  const limiter = userLimiter(env, userId);
  const { state } = unwrap(await limiter.reserve(jobId, fromItems.length));
  try {
    const pins = await copyInputs(env.BUCKET, source, fromItems, userId, jobId);
    // The photos keep their file names, so the new job's ZIP is named after them too (docs/sets.md).
    const sourceNames = unwrap(await jobCoordinator(env, source.job_id).itemNames(userId)).names;
    const names = fromItems.map((from) => sourceNames[from]);
    const coordinator = jobCoordinator(env, jobId);
    unwrap(
      await coordinator.create({
        job_id: jobId,
        user_id: userId,
        preset: source.preset,
        item_count: fromItems.length,
        watermark: PLANS[state.plan].watermark,
        ...(names.every((name) => name !== undefined) ? { names: names as string[] } : {}),
      }),
    );
    const job = unwrap(await coordinator.confirmUpload(userId, pins)).job;
    await logJobCreated(env, { job_id: jobId, user_id: userId, preset: source.preset, item_count: fromItems.length });
    return job;
  } catch (error) {
    await limiter.rollback(jobId, fromItems.length);
    throw error;
  }
}
