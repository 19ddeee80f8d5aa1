// One item as clients see it (docs/events.md, docs/reports.md): GET /jobs/{id}, the events' snapshot
// and the set manifest. Its own file so the set files can name it without importing the messages.
import type { ItemReport, ScanReport } from "./report";
import type { ItemStatus } from "./statuses";

export interface ItemErrorView {
  code: string;
  message: string;
}

/** Items stay `pending` until their callback lands: the GPU worker does not report starts. */
export interface JobItemProgress {
  idx: number;
  status: ItemStatus;
  error: ItemErrorView | null;
  /**
   * A done item's report (docs/reports.md); before execute, the latest scan's report for the photo
   * (found figures and flags, no edit figures); null otherwise, or from a GPU worker that sends none.
   */
  report: ItemReport | ScanReport | null;
  /** A rule concept was not found, or the edit changed nothing: a person should look. */
  needs_review: boolean;
}
