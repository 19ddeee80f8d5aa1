// What the JobCoordinator answers and publishes, read from its store: the full view, the standing
// without items (callbacks, conditional GETs, progress events) and the events' snapshot.
import {
  itemProgressOf,
  type ItemStatus,
  type JobStatus,
  type ProgressEvent,
  type RuleAction,
  type SnapshotEvent,
} from "@s3/contract";
import type { JobItemView, JobProgressView, JobVersionView, JobView } from "../../rpc";
import type { JobRow, JobStore } from "./store";

export function jobView(store: JobStore, job: JobRow): JobView {
  const items = store.items();
  const reports = store.reports();
  const scanReports = store.album.scanReports();
  const inputs = store.album.inputs();
  const pins = store.inputPins();
  const hints = store.album.hints();
  const count = (status: ItemStatus) => items.filter((item) => item.status === status).length;
  return {
    job_id: job.job_id,
    user_id: job.user_id,
    status: job.status as JobStatus,
    preset: job.preset,
    rule_id: job.rule_id,
    concepts: JSON.parse(job.concepts_json) as Record<string, RuleAction>,
    protect: JSON.parse(job.protect_json) as string[],
    output_template: job.output_template,
    output_format: store.album.outputFormat(),
    locale: store.locale(),
    variants: store.variants(),
    scan: store.album.scanState(job.total),
    watermark: job.watermark === 1,
    progress: {
      done: count("done"),
      failed: count("failed"),
      total: job.total,
      needs_review: store.countNeedsReview(),
    },
    items: items.map((item): JobItemView => ({
      idx: item.idx,
      status: item.status as ItemStatus,
      input_key: item.input_key,
      output_key: item.output_key,
      preview_key: item.preview_key,
      error: item.error,
      report: reports.get(item.idx) ?? null,
      scan_report: scanReports.get(item.idx) ?? null,
      input: inputs.get(item.idx) ?? null,
      pin: pinOf(pins.get(item.idx)),
      hints: hints.get(item.idx) ?? null,
    })),
    created_at: job.created_at,
    updated_at: job.updated_at,
    finished_at: job.finished_at,
    dispatch_refs: store.dispatchRefs(job),
    deleted_at: store.deletedAt(),
  };
}

function pinOf(pin: { input_size: number; input_etag: string } | undefined): JobItemView["pin"] {
  return pin ? { size: pin.input_size, etag: pin.input_etag } : null;
}

/** The standing without items: O(1) in the job's size, for every callback. */
export function progressView(store: JobStore, job: JobRow): JobProgressView {
  return {
    job_id: job.job_id,
    status: job.status as JobStatus,
    progress: {
      done: store.countItems("done"),
      failed: store.countItems("failed"),
      total: job.total,
      needs_review: store.countNeedsReview(),
    },
  };
}

/** What a conditional GET's ETag is computed from (docs/events.md). */
export function versionView(store: JobStore, job: JobRow): JobVersionView {
  return { ...progressView(store, job), updated_at: job.updated_at };
}

/** The first event a listener gets (docs/events.md). */
export function snapshotOf(store: JobStore, job: JobRow): SnapshotEvent {
  const reports = store.reports();
  const scanReports = store.album.scanReports();
  const scan = store.album.scanState(job.total);
  return {
    type: "snapshot",
    ...progressView(store, job),
    preset: job.preset,
    output_template: job.output_template,
    ...(scan && { scan }),
    items: store.items().map((item) =>
      itemProgressOf({
        ...item,
        status: item.status as ItemStatus,
        report: reports.get(item.idx),
        scan_report: scanReports.get(item.idx),
      }),
    ),
  };
}

/** The `item` of a progress event: the item as GET /jobs/{id} shows it, without its error (docs/events.md). */
export function progressItemOf(store: JobStore, idx: number): ProgressEvent["item"] {
  const row = store.item(idx)!;
  const { error: _error, ...item } = itemProgressOf({
    ...row,
    status: row.status as ItemStatus,
    report: store.report(idx),
    scan_report: store.album.scanReports().get(idx),
  });
  return item;
}
