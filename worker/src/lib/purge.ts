// Retention (docs/trust.md): a job's objects in R2 go, on DELETE /jobs/{id} or RETENTION_DAYS after it
// finished; its history (the JobCoordinator, jobs_log) and billing rows stay.
import { storageKeys } from "@s3/contract";

/** R2 lists and deletes at most 1,000 keys per call. */
const BATCH = 1000;

/** Deletes every object under the job's prefixes (inputs, outputs, previews, masks, sets); returns how many. */
export async function deleteJobObjects(bucket: R2Bucket, userId: string, jobId: string): Promise<number> {
  let deleted = 0;
  for (const prefix of storageKeys.jobPrefixes(userId, jobId)) deleted += await deletePrefix(bucket, prefix);
  return deleted;
}

/** Deletes every object under `prefix`; returns how many. */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0;
  // Each round lists what is left; deleted keys no longer appear, so no cursor is needed.
  for (;;) {
    const listed = await bucket.list({ prefix, limit: BATCH });
    if (listed.objects.length === 0) break;
    await bucket.delete(listed.objects.map((object) => object.key));
    deleted += listed.objects.length;
    if (!listed.truncated) break;
  }
  return deleted;
}

export function retentionDueMs(finishedAt: string, retentionDays: number): number {
  return Date.parse(finishedAt) + retentionDays * 86_400_000;
}
