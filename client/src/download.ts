// Downloading a finished job's set (docs/sets.md): the manifest, then each file through its presigned URL.
import { eachLimited } from "./upload";
import { unwrap, type ApiClient } from "./client";
import type { SetFile, SetManifest } from "./types";

export interface DownloadSetOptions {
  /** Each file as it arrives; `file.name` is its path in the set ({role}/{file name}). */
  onFile: (file: SetFile, bytes: Uint8Array) => void | Promise<void>;
  /** GETs in flight at once (default 4). */
  concurrency?: number;
  fetch?: typeof fetch;
}

/** GET /jobs/{id}/set, then every file of it; answers the manifest. */
export async function downloadSet(api: ApiClient, jobId: string, options: DownloadSetOptions): Promise<SetManifest> {
  const manifest = await unwrap(api.GET("/jobs/{id}/set", { params: { path: { id: jobId } } }));
  await eachLimited(manifest.files, options.concurrency ?? 4, async (file) => {
    await options.onFile(file, await getPresigned(file.url, options.fetch));
  });
  return manifest;
}

/** The whole set as one ZIP, through the manifest's signed zip_url (no token needed). */
export function downloadSetZip(manifest: SetManifest, fetcher: typeof fetch = globalThis.fetch): Promise<Uint8Array> {
  return getPresigned(manifest.zip_url, fetcher, 120_000);
}

export async function getPresigned(
  url: string,
  fetcher: typeof fetch = globalThis.fetch,
  timeoutMs = 60_000,
): Promise<Uint8Array> {
  const response = await fetcher(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`presigned GET answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
