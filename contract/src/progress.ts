// Live progress (docs/events.md): what GET /jobs/{id} says of each item, and the events that
// GET /jobs/{id}/events pushes — the same shapes for the Worker, the console and scripts.
import type { ItemErrorView, JobItemProgress } from "./item-progress";
import type { ItemErrorCode } from "./messages";
import { needsReview, type ItemReport, type ScanReport } from "./report";
import type { ScanState } from "./scan";
import type { FinalJobStatus, ItemStatus, JobStatus } from "./statuses";

export type { ItemErrorView, JobItemProgress } from "./item-progress";

/** Why a photo failed, in plain words a person can act on; keyed by the GPU worker's catalog. */
export const ITEM_ERROR_MESSAGES: Record<ItemErrorCode, string> = {
  INPUT_NOT_FOUND: "The photo was not found in storage; upload it again.",
  INPUT_INVALID: "The file is not a JPEG, PNG or WebP photo we can read.",
  INPUT_TOO_LARGE: "The photo is larger than the upload limit.",
  INPUT_CHANGED: "The photo was replaced after the upload was confirmed.",
  SEGMENT_FAILED: "The photo could not be analysed for the chosen concepts.",
  APPLY_FAILED: "The edit could not be applied to this photo.",
  PROTECT_VIOLATION: "The edit touched a protected area, so the result was withheld.",
  UPLOAD_FAILED: "The result could not be saved; try again.",
  LEASE_EXPIRED: "The photo was not processed in time, even after retries.",
  GPU_JOB_FAILED: "The processing service gave up on this job.",
  GPU_ERROR: "The processing service reported an error for this photo.",
  INTERNAL: "Something went wrong while processing this photo.",
};

/** A failed item's error as clients see it; codes outside the catalog read as GPU_ERROR's words. */
export function itemErrorView(code: string | null): ItemErrorView | null {
  if (code === null) return null;
  const message = ITEM_ERROR_MESSAGES[code as ItemErrorCode] ?? ITEM_ERROR_MESSAGES.GPU_ERROR;
  return { code, message };
}

/**
 * One item as clients see it, from the JobCoordinator's row (error holds the item's code): a done
 * item's report, or while it is pending its latest scan's.
 */
export function itemProgressOf(item: {
  idx: number;
  status: ItemStatus;
  error: string | null;
  report?: ItemReport | null;
  scan_report?: ScanReport | null;
}): JobItemProgress {
  const pending = item.status === "pending" ? (item.scan_report ?? null) : null;
  const report = item.status === "done" ? (item.report ?? null) : pending;
  return {
    idx: item.idx,
    status: item.status,
    error: item.status === "failed" ? itemErrorView(item.error) : null,
    report,
    needs_review: needsReview(report),
  };
}

export interface JobProgress {
  done: number;
  failed: number;
  total: number;
  /** Done items that need review (docs/reports.md). */
  needs_review: number;
}

export const EVENTS_SUBPROTOCOL = "s3.v1";
/** The WebSocket subprotocol prefix that carries the JWT (browsers cannot set headers). */
export const BEARER_SUBPROTOCOL_PREFIX = "bearer.";

export interface SnapshotEvent {
  type: "snapshot";
  job_id: string;
  status: JobStatus;
  preset: string;
  output_template: string | null;
  progress: JobProgress;
  /** The latest scan, once the job was scanned (docs/events.md). */
  scan?: ScanState;
  items: JobItemProgress[];
}

export interface ProgressEvent {
  type: "progress";
  job_id: string;
  status: JobStatus;
  progress: JobProgress;
  /** On a scan's progress: the scan as it now stands (the job's status stays uploaded). */
  scan?: ScanState;
  item?: Omit<JobItemProgress, "error">;
}

export interface EndEvent {
  type: "end";
  job_id: string;
  status: FinalJobStatus;
  progress: JobProgress;
}

export type JobEvent = SnapshotEvent | ProgressEvent | EndEvent;
