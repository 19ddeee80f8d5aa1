// The steps e2e tests take again and again, through @s3/client (the only client of the API).
import { signInAnonymously, unwrap, uploadAlbum, type ApiClient, type ExecuteJob } from "@s3/client";

export type { ApiClient };

/** A new anonymous user of the Worker at `baseUrl`. */
export async function newUser(baseUrl: string): Promise<{ api: ApiClient; userId: string }> {
  const { api, user_id: userId } = await signInAnonymously({ baseUrl });
  return { api, userId };
}

/** POST /jobs with the photos' sizes, presigned PUTs, confirm, execute: the job is queued. */
export async function submitJob(api: ApiClient, preset: string, files: Uint8Array[], rule: ExecuteJob) {
  const job = await uploadAlbum(api, { preset, photos: files.map((bytes) => ({ bytes })) });
  await executeJob(api, job.job_id, rule);
  return job.job_id;
}

export const getJob = (api: ApiClient, jobId: string) =>
  unwrap(api.GET("/jobs/{id}", { params: { path: { id: jobId } } }));

export const getMe = (api: ApiClient) => unwrap(api.GET("/me"));

/** The steps one at a time, for tests that put by hand what uploadAlbum would not (late, oversized, unsigned sizes). */
export const createJob = (api: ApiClient, preset: string, count: number) =>
  unwrap(api.POST("/jobs", { body: { preset, item_count: count } }));

export const confirmUpload = (api: ApiClient, jobId: string) =>
  unwrap(api.POST("/jobs/{id}/confirm-upload", { params: { path: { id: jobId } } }));

export const executeJob = (api: ApiClient, jobId: string, rule: ExecuteJob) =>
  unwrap(api.POST("/jobs/{id}/execute", { params: { path: { id: jobId } }, body: rule }));
