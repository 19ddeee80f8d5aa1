// The lifecycle words of a job and of its items, declared once for the API's schemas, the
// JobCoordinator, the D1 log and the clients.
export const JOB_STATUSES = ["created", "uploaded", "queued", "running", "done", "failed", "canceled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job in one of these states never moves again. */
export const FINAL_JOB_STATUSES = ["done", "failed", "canceled"] as const satisfies readonly JobStatus[];
export type FinalJobStatus = (typeof FINAL_JOB_STATUSES)[number];

export function isFinalJobStatus(status: string): status is FinalJobStatus {
  return (FINAL_JOB_STATUSES as readonly string[]).includes(status);
}

export const ITEM_STATUSES = ["pending", "done", "failed"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** What a callback may report for one item: it has left `pending` for good. */
export const REPORTED_ITEM_STATUSES = ["done", "failed"] as const satisfies readonly ItemStatus[];
