// A scan's callbacks (docs/reports.md, Scan reports): each photo's report for the job's latest scan,
// recorded once; a callback of an older scan changes nothing. The job's status is not touched.
import { scanReportSchema, type CallbackBody, type ScanReport } from "@s3/contract";
import type { Refusal } from "../../rpc";
import type { JobRow, JobStore } from "./store";

/** Whether the report was recorded (false: a repeat or an older scan), or why it is refused. */
export function recordScanItem(store: JobStore, job: JobRow, body: CallbackBody): boolean | Refusal {
  if (!store.item(body.idx)) return { ok: false, code: "VALIDATION_ERROR", message: `idx must be 0..${job.total - 1}` };
  if (body.output_key !== null || body.preview_key !== null) {
    return { ok: false, code: "VALIDATION_ERROR", message: "a scan callback names no output keys" };
  }
  const scan = store.album.scan();
  if (!scan || scan.id !== body.scan_id) return false;
  const parsed = body.status === "done" ? scanReportSchema.safeParse(body.report) : null;
  const report = parsed?.success ? (parsed.data as ScanReport) : null;
  return store.album.recordScanItem(scan.id, body.idx, body.status, report, job.total);
}
