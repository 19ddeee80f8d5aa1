// The mask cache's lifetime (docs/storage.md, Mask cache): the GPU worker fills `cache/{userId}/{sha256}/…`;
// the JobCoordinator records which input bytes its job reads and, when the job's objects are purged,
// deletes the cache of those bytes unless another of the user's jobs still reads them (the UserLimiter counts).
import { storageKeys, type CallbackInput } from "@s3/contract";
import { userLimiter } from "../../lib/durable";
import { deletePrefix } from "../../lib/purge";
import type { JobRow, JobStore } from "./store";

export class MaskCache {
  constructor(
    private readonly store: JobStore,
    private readonly env: Env,
  ) {}

  /** What a callback (or a copy) says of an item's input; bytes new to the job become a reference. */
  async note(job: JobRow, idx: number, input: CallbackInput | undefined): Promise<void> {
    if (input === undefined) return;
    if (this.store.album.recordInput(idx, input)) {
      await userLimiter(this.env, job.user_id).addCacheRefs(job.job_id, [input.sha256]);
    }
  }

  /** After a purge: the job's references go, and with them the cache of bytes no other job reads. */
  async release(job: JobRow, also: readonly string[] = []): Promise<void> {
    const sha256s = [...new Set([...this.store.album.inputSha256s(), ...also])];
    if (sha256s.length === 0) return;
    const unused = await userLimiter(this.env, job.user_id).releaseCacheRefs(job.job_id, sha256s);
    for (const sha256 of unused) await deletePrefix(this.env.BUCKET, storageKeys.cachePrefix(job.user_id, sha256));
  }
}
