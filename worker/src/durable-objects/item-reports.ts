// Each done item's report (docs/reports.md), as the JobCoordinator keeps it: written once with the
// item's status, so a redelivered callback cannot change it; read back for GET /jobs/{id}, the
// progress events, the set manifest and the D1 item log.
import { needsReview, type ItemReport } from "@s3/contract";

/** The table, created with the JobCoordinator's others. */
export const ITEM_REPORTS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS item_reports (
    idx INTEGER PRIMARY KEY, report_json TEXT NOT NULL, needs_review INTEGER NOT NULL
  );`;

/** Inside the callback's transaction, once the item is recorded. */
export function storeItemReport(sql: SqlStorage, idx: number, report: ItemReport): void {
  sql.exec(
    "INSERT OR IGNORE INTO item_reports (idx, report_json, needs_review) VALUES (?, ?, ?)",
    idx,
    JSON.stringify(report),
    needsReview(report) ? 1 : 0,
  );
}

export function itemReports(sql: SqlStorage): Map<number, ItemReport> {
  const rows = sql.exec<{ idx: number; report_json: string }>("SELECT idx, report_json FROM item_reports");
  return new Map(rows.toArray().map((row) => [row.idx, JSON.parse(row.report_json) as ItemReport]));
}

export function itemReport(sql: SqlStorage, idx: number): ItemReport | null {
  const row = sql.exec<{ report_json: string }>("SELECT report_json FROM item_reports WHERE idx = ?", idx).toArray()[0];
  return row ? (JSON.parse(row.report_json) as ItemReport) : null;
}

/** The job's progress count of items that need review. */
export function needsReviewCount(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM item_reports WHERE needs_review = 1").one().n;
}

/** What the D1 item log keeps of a report: its flags, as JSON; null for an item without one. */
export function flagsJson(report: ItemReport | null | undefined): string | null {
  return report ? JSON.stringify(report.flags) : null;
}
