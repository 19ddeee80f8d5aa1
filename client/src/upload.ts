// Uploading an album (docs/storage.md): POST /jobs with each photo's size, one presigned PUT per
// photo (the URL signs that content-length), then confirm-upload. Progress is counted in bytes.
import { unwrap, type ApiClient } from "./client";
import type { CreatedJob } from "./types";

export interface Photo {
  bytes: Uint8Array;
  /** image/png, image/jpeg or image/webp (default image/png). */
  contentType?: string;
}

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
  sentPhotos: number;
  totalPhotos: number;
}

export interface UploadAlbumOptions {
  preset: string;
  photos: readonly Photo[];
  /**
   * One key for the whole upload; the create and confirm steps send `<key>:create` and `<key>:confirm`,
   * so a retried upload (this call run again with the same key) reuses the job rather than making a second.
   */
  idempotencyKey?: string;
  /** PUTs in flight at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: UploadProgress) => void;
  fetch?: typeof fetch;
}

/** Creates the job, puts every photo, confirms: the job is then `uploaded`, ready for execute. */
export async function uploadAlbum(api: ApiClient, options: UploadAlbumOptions): Promise<CreatedJob> {
  const { photos } = options;
  const sizes = photos.map((photo) => photo.bytes.byteLength);
  const key = options.idempotencyKey;
  const job = await unwrap(
    api.POST("/jobs", {
      body: { preset: options.preset, item_count: photos.length, sizes },
      params: { header: key ? { "idempotency-key": `${key}:create` } : {} },
    }),
  );
  const progress: UploadProgress = {
    sentBytes: 0,
    totalBytes: sizes.reduce((sum, size) => sum + size, 0),
    sentPhotos: 0,
    totalPhotos: photos.length,
  };
  options.onProgress?.({ ...progress });
  await eachLimited(job.upload, options.concurrency ?? 4, async (slot) => {
    const photo = photos[slot.idx];
    if (!photo) throw new Error(`POST /jobs answered an upload URL for idx ${slot.idx} of ${photos.length} photos`);
    await putPresigned(slot.url, photo.bytes, photo.contentType, options.fetch);
    progress.sentBytes += photo.bytes.byteLength;
    progress.sentPhotos += 1;
    options.onProgress?.({ ...progress });
  });
  await unwrap(
    api.POST("/jobs/{id}/confirm-upload", {
      params: { path: { id: job.job_id }, header: key ? { "idempotency-key": `${key}:confirm` } : {} },
    }),
  );
  return job;
}

/** PUT to a presigned URL; a PUT is idempotent, so it is tried twice (a local store can race a cold start). */
export async function putPresigned(
  url: string,
  body: Uint8Array,
  contentType = "image/png",
  fetcher: typeof fetch = globalThis.fetch,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetcher(url, {
      method: "PUT",
      body: body as Uint8Array<ArrayBuffer>,
      headers: { "content-type": contentType },
      signal: AbortSignal.timeout(60_000),
    }).catch((error: unknown) => (attempt >= 2 ? Promise.reject(error) : null));
    if (response?.ok) {
      await response.body?.cancel();
      return;
    }
    const text = response ? await response.text() : "";
    if (attempt >= 2) throw new Error(`presigned PUT answered ${response?.status}: ${text.slice(0, 200)}`);
  }
}

/** Runs `task` over `inputs` with at most `limit` at a time. */
export async function eachLimited<T>(
  inputs: readonly T[],
  limit: number,
  task: (input: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, inputs.length) }, async () => {
      while (next < inputs.length) {
        const index = next++;
        await task(inputs[index]!, index);
      }
    }),
  );
}
