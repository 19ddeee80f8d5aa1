// Conditional polls of GET /jobs/{id} (docs/events.md): the ETag is computed from what the
// JobCoordinator already answers, so a 304 presigns nothing.
import type { JobView } from "../rpc";

/**
 * A weak tag (the body's presigned URLs and meta differ byte for byte) over the job's standing.
 * It also turns over every half URL lifetime, so a client that keeps a cached body never holds
 * URLs with less than half their life left.
 */
export function jobEtag(
  job: Pick<JobView, "status" | "progress" | "updated_at"> & Partial<Pick<JobView, "scan">>,
  urlTtlSec: number,
  nowMs = Date.now(),
): string {
  const urlEpoch = Math.floor(nowMs / Math.max(1, Math.floor((urlTtlSec * 1000) / 2)));
  const { done, failed, total } = job.progress;
  // A scan moves while the job stays `uploaded` (docs/albums.md): its progress is part of the standing.
  const scan = job.scan
    ? `${job.scan.id}.${job.scan.status}.${job.scan.progress.done}.${job.scan.progress.failed}`
    : "-";
  return `W/"${job.status}.${done}.${failed}.${total}.${scan}.${Date.parse(job.updated_at)}.${urlEpoch}"`;
}

/** If-None-Match's weak comparison: any listed tag (or `*`) equal to ours, W/ prefixes ignored. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}
