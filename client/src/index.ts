// @s3/client: the typed client of the public API (docs/client.md). Browser-safe: the CLI lives in src/cli/.
export { ApiError, apiErrorOf, createApiClient, newIdempotencyKey, signInAnonymously, unwrap } from "./client";
export type { ApiClient, ApiClientOptions } from "./client";
export { downloadSet, downloadSetZip, getPresigned } from "./download";
export type { DownloadSetOptions } from "./download";
export { eachLimited, putPresigned, uploadAlbum } from "./upload";
export type { Photo, UploadAlbumOptions, UploadProgress } from "./upload";
export { serverSentEvents, waitForJob } from "./wait";
export type { WaitOptions } from "./wait";
export * from "./types";
