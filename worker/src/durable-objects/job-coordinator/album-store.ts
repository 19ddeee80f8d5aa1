// The JobCoordinator's storage for albums (docs/reports.md, Scan reports; docs/storage.md, Mask cache):
// the results' format, each photo's hints, what the GPU worker measured of each input, and the job's
// scans with their per-item reports. One read or one write per method, as in store.ts.
import {
  DEFAULT_OUTPUT_FORMAT,
  storageKeys,
  type CallbackInput,
  type ItemHints,
  type OutputFormat,
  type ScanReport,
  type ScanState,
} from "@s3/contract";

export const ALBUM_SCHEMA = `
  CREATE TABLE IF NOT EXISTS job_options (id INTEGER PRIMARY KEY CHECK (id = 1), output_format TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS item_hints (idx INTEGER PRIMARY KEY, hints_json TEXT NOT NULL);
  -- The input as a callback described it: its mask cache folder and its pixel size.
  CREATE TABLE IF NOT EXISTS item_inputs (
    idx INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
    segmenter_version TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY, concepts_json TEXT NOT NULL, protect_json TEXT NOT NULL, status TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS scan_items (
    scan_id INTEGER NOT NULL, idx INTEGER NOT NULL, status TEXT NOT NULL, report_json TEXT,
    PRIMARY KEY (scan_id, idx)
  );
`;

export interface ScanRow extends Record<string, SqlStorageValue> {
  id: number;
  concepts_json: string;
  protect_json: string;
  status: string;
}

export class AlbumStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  outputFormat(): OutputFormat {
    const row = this.sql.exec<{ f: string }>("SELECT output_format AS f FROM job_options WHERE id = 1").toArray()[0];
    return (row?.f as OutputFormat | undefined) ?? DEFAULT_OUTPUT_FORMAT;
  }

  /** The format, and every item's output key with its extension. */
  setOutputFormat(format: OutputFormat, userId: string, jobId: string): void {
    this.sql.exec("INSERT OR REPLACE INTO job_options (id, output_format) VALUES (1, ?)", format);
    const items = this.sql.exec<{ idx: number }>("SELECT idx FROM items").toArray();
    for (const { idx } of items) {
      this.sql.exec(
        "UPDATE items SET output_key = ? WHERE idx = ?",
        storageKeys.output(userId, jobId, idx, format),
        idx,
      );
    }
  }

  hints(): Map<number, ItemHints> {
    const rows = this.sql.exec<{ idx: number; hints_json: string }>("SELECT idx, hints_json FROM item_hints");
    return new Map(rows.toArray().map((row) => [row.idx, JSON.parse(row.hints_json) as ItemHints]));
  }

  /** The photos named get these hints; the others keep theirs. */
  setHints(hints: Readonly<Record<string, ItemHints>>): void {
    for (const [idx, itemHints] of Object.entries(hints)) {
      this.sql.exec(
        "INSERT OR REPLACE INTO item_hints (idx, hints_json) VALUES (?, ?)",
        Number(idx),
        JSON.stringify(itemHints),
      );
    }
  }

  inputs(): Map<number, CallbackInput> {
    const rows = this.sql.exec<CallbackInput & { idx: number } & Record<string, SqlStorageValue>>(
      "SELECT idx, sha256, width, height, segmenter_version FROM item_inputs",
    );
    return new Map(rows.toArray().map(({ idx, ...input }) => [idx, input]));
  }

  /** Records the input once per item; true when its SHA-256 is new to the job. */
  recordInput(idx: number, input: CallbackInput): boolean {
    return this.storage.transactionSync(() => {
      const known = this.sql.exec("SELECT 1 FROM item_inputs WHERE sha256 = ?", input.sha256).toArray().length > 0;
      this.sql.exec(
        "INSERT OR REPLACE INTO item_inputs (idx, sha256, width, height, segmenter_version) VALUES (?, ?, ?, ?, ?)",
        idx,
        input.sha256,
        input.width,
        input.height,
        input.segmenter_version,
      );
      return !known;
    });
  }

  inputSha256s(): string[] {
    return this.sql
      .exec<{ sha256: string }>("SELECT DISTINCT sha256 FROM item_inputs")
      .toArray()
      .map((r) => r.sha256);
  }

  scan(): ScanRow | undefined {
    return this.sql.exec<ScanRow>("SELECT * FROM scans ORDER BY id DESC LIMIT 1").toArray()[0];
  }

  /** A new scan, scanning; answers its id. */
  startScan(concepts: readonly string[], protect: readonly string[]): number {
    const id = (this.scan()?.id ?? 0) + 1;
    this.sql.exec(
      "INSERT INTO scans (id, concepts_json, protect_json, status) VALUES (?, ?, ?, 'scanning')",
      id,
      JSON.stringify(concepts),
      JSON.stringify(protect),
    );
    return id;
  }

  /** A scan whose message never left: as if it never started. */
  dropScan(id: number): void {
    this.sql.exec("DELETE FROM scans WHERE id = ?", id);
  }

  /** One item of a scan, once: false for a repeat. Marks the scan scanned with its last item. */
  recordScanItem(scanId: number, idx: number, status: "done" | "failed", report: ScanReport | null, total: number) {
    return this.storage.transactionSync(() => {
      const seen = this.sql.exec("SELECT 1 FROM scan_items WHERE scan_id = ? AND idx = ?", scanId, idx).toArray();
      if (seen.length > 0) return false;
      this.sql.exec(
        "INSERT INTO scan_items (scan_id, idx, status, report_json) VALUES (?, ?, ?, ?)",
        scanId,
        idx,
        status,
        report === null ? null : JSON.stringify(report),
      );
      const reported = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM scan_items WHERE scan_id = ?", scanId);
      if (reported.one().n >= total) this.sql.exec("UPDATE scans SET status = 'scanned' WHERE id = ?", scanId);
      return true;
    });
  }

  /** The latest scan's report of each photo it reported done. */
  scanReports(): Map<number, ScanReport> {
    const scan = this.scan();
    if (!scan) return new Map();
    const rows = this.sql.exec<{ idx: number; report_json: string }>(
      "SELECT idx, report_json FROM scan_items WHERE scan_id = ? AND status = 'done' AND report_json IS NOT NULL",
      scan.id,
    );
    return new Map(rows.toArray().map((row) => [row.idx, JSON.parse(row.report_json) as ScanReport]));
  }

  /** The latest scan as clients see it, or null before the first. */
  scanState(total: number): ScanState | null {
    const scan = this.scan();
    if (!scan) return null;
    const count = (status: string) =>
      this.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM scan_items WHERE scan_id = ? AND status = ?", scan.id, status)
        .one().n;
    return {
      id: scan.id,
      status: scan.status as ScanState["status"],
      concepts: [...(JSON.parse(scan.concepts_json) as string[]), ...(JSON.parse(scan.protect_json) as string[])],
      progress: { done: count("done"), failed: count("failed"), total },
    };
  }
}
